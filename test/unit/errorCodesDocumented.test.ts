import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, INPUT_REASONS } from '../../src/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first-column codes of the README table under the given heading. */
function tableCodes(heading: string): string[] {
  const start = readme.indexOf(heading);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start + heading.length).split(/\n#{2,3} /)[0]!;
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('README error tables', () => {
  it('lists exactly the error codes of the registry', () => {
    expect(tableCodes('### Error codes').sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives each code the HTTP status of the registry', () => {
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]),
    );
    const registry = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]));
    expect(documented).toEqual(registry);
  });

  it('lists exactly the BAD_USER_INPUT reasons of the registry', () => {
    expect(tableCodes('### BAD_USER_INPUT reasons').sort()).toEqual(Object.keys(INPUT_REASONS).sort());
  });
});
