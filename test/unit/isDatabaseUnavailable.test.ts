import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/isDatabaseUnavailable.js';

describe('isDatabaseUnavailable', () => {
  it('recognises connection failures however deeply the driver adapter wraps them', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    // A Unix socket that is gone: the PGlite thread ended (its socket file goes with it).
    const gone = Object.assign(new Error('connect ENOENT /tmp/bvg-pglite-x/.s.PGSQL.5432'), {
      code: 'ENOENT',
      syscall: 'connect',
    });
    expect(isDatabaseUnavailable(gone)).toBe(true);
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
    // queryWithReadTimeout, when a frozen server answers nothing (test/completionOutage.test.ts).
    expect(isDatabaseUnavailable(new Error('Query read timeout'))).toBe(true);
  });

  /** As node-postgres and PGlite throw a server error: its SQLSTATE in `code`. */
  const serverError = (code: string, message: string) =>
    Object.assign(new Error(message), { name: 'error', severity: 'ERROR', code });
  /** As Prisma 7 throws one that its pg adapter has no kind for: P2039, the SQLSTATE on the adapter's error. */
  const prismaError = (code: string, message: string) => ({
    name: 'PrismaClientKnownRequestError',
    code: 'P2039',
    message: `Database error. Code: \`${code}\`. Message: \`${message}\``,
    meta: {
      driverAdapterError: {
        name: 'DriverAdapterError',
        cause: { kind: 'postgres', code, originalCode: code, severity: 'ERROR', message, originalMessage: message },
      },
    },
  });

  it('recognises a database host that cannot be resolved or routed to for now', () => {
    // Node's errors, which node-postgres passes on and Prisma's pg adapter rethrows as they are.
    const dns = Object.assign(new Error('getaddrinfo EAI_AGAIN db.internal'), {
      errno: -3001,
      code: 'EAI_AGAIN',
      syscall: 'getaddrinfo',
      hostname: 'db.internal',
    });
    const route = (code: string, errno: number) =>
      Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), {
        errno,
        code,
        syscall: 'connect',
        address: '10.0.0.5',
        port: 5432,
      });
    expect(isDatabaseUnavailable(dns)).toBe(true);
    expect(isDatabaseUnavailable(route('ENETUNREACH', -101))).toBe(true);
    expect(isDatabaseUnavailable(route('EHOSTUNREACH', -113))).toBe(true);
    // Prisma keeps the code of an error its adapter did not classify.
    expect(
      isDatabaseUnavailable({ name: 'PrismaClientKnownRequestError', code: 'EAI_AGAIN', message: dns.message }),
    ).toBe(true);
  });

  it('recognises writes reaching a primary demoted to a read-only standby by a failover', () => {
    const message = 'cannot execute INSERT in a read-only transaction';
    expect(isDatabaseUnavailable(serverError('25006', message))).toBe(true);
    expect(isDatabaseUnavailable(prismaError('25006', message))).toBe(true);
  });

  it('recognises a server out of disk, memory or another resource', () => {
    for (const [code, message] of [
      ['53000', 'insufficient resources'],
      ['53100', 'could not extend file "base/16384/16397": No space left on device'],
      ['53200', 'out of memory'],
      ['53300', 'sorry, too many clients already'],
      ['53400', 'configuration limit exceeded'],
    ] as const) {
      expect(isDatabaseUnavailable(serverError(code, message)), code).toBe(true);
      expect(isDatabaseUnavailable(prismaError(code, message)), code).toBe(true);
    }
  });

  it('leaves errors of the query itself alone, so they are not retried as if the server were away', () => {
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '22021', message: 'invalid byte sequence' })).toBe(false);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
    // Neighbours of the new classes that a retry cannot get past.
    expect(isDatabaseUnavailable(serverError('25P02', 'current transaction is aborted'))).toBe(false);
    expect(isDatabaseUnavailable(serverError('54000', 'index row size exceeds maximum'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false);
    const cyclic: Record<string, unknown> = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
