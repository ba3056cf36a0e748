import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/isDatabaseUnavailable.js';

describe('isDatabaseUnavailable', () => {
  it('recognises connection failures however deeply the driver adapter wraps them', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(
      true,
    );
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(
      isDatabaseUnavailable({
        code: 'P2010',
        meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } } },
      }),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('outer', { cause: { code: 'ECONNRESET' } }))).toBe(true);
    // node-postgres's query_timeout, when a frozen server answers nothing (test/completionOutage.test.ts).
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
  });

  it('leaves errors of the query itself alone, so they are not retried as if the server were away', () => {
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '22021', message: 'invalid byte sequence' })).toBe(false);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false);
    const cyclic: Record<string, unknown> = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
