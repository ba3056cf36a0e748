import { describe, expect, it } from 'vitest';
import { prefersLegacyJson } from '../../src/graphql/legacyJsonStatusPlugin.js';

describe('prefersLegacyJson: the media type a request error is answered in', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['*/*', true],
    ['application/json', true],
    ['application/json, multipart/mixed', true],
    ['application/graphql-response+json', false],
    ['application/graphql-response+json, application/json;q=0.9', false],
    ['application/json, application/graphql-response+json;q=0.5', true],
    ['application/*;q=0.5, application/graphql-response+json', false],
    ['text/html', false],
  ])('Accept %j prefers application/json: %s', (accept, expected) => {
    expect(prefersLegacyJson(accept)).toBe(expected);
  });
});
