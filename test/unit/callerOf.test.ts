import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { callerOf } from '../../src/http/createAuthMiddleware.js';

describe('callerOf', () => {
  it('fails closed for a route mounted without the auth middleware, instead of acting as the open-mode caller', () => {
    expect(() => callerOf({ locals: {} } as unknown as Response)).toThrow(/without the auth middleware/);
  });

  it('gives the caller the middleware authenticated', () => {
    const caller = { kind: 'open' } as const;
    expect(callerOf({ locals: { caller } } as unknown as Response)).toBe(caller);
  });
});
