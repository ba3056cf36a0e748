import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdmission, type Admission } from '../../src/http/createAdmission.js';

const request = (headers: Record<string, string> = { 'content-length': '100' }) =>
  ({ method: 'POST', headers }) as unknown as IncomingMessage;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'admitted';
}

describe('createAdmission', () => {
  let admission: Admission;
  afterEach(() => admission?.close());

  const busy = (ms: number) => {
    const started = performance.now();
    while (performance.now() - started < ms) {
      // the loop is busy: what a flood of requests does to a process out of CPU
    }
  };
  // The next timers phase, where the overdue sampler runs before this timer.
  const nextTurn = () => new Promise((r) => setTimeout(r, 0));

  it('refuses while the event loop stays behind its bound, and admits again once it keeps time', async () => {
    admission = createAdmission({
      maxInFlight: 10,
      maxBufferedBytes: 1e6,
      maxBodyBytes: 1e6,
      maxEventLoopDelayMs: 200,
      maxDatabaseWaitMs: 1e4,
    });
    await new Promise((r) => setTimeout(r, 60));
    busy(300);
    await nextTurn(); // the sampler runs, 300 ms late
    busy(300);
    expect(codeOf(() => admission.admit(request()))).toBe('SERVICE_UNAVAILABLE');
    expect(admission.inFlight).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(codeOf(() => admission.admit(request()).release())).toBe('admitted');
  });

  it('does not take one long stall for overload', async () => {
    admission = createAdmission({
      maxInFlight: 10,
      maxBufferedBytes: 1e6,
      maxBodyBytes: 1e6,
      maxEventLoopDelayMs: 200,
      maxDatabaseWaitMs: 1e4,
    });
    await new Promise((r) => setTimeout(r, 60));
    busy(400);
    expect(codeOf(() => admission.admit(request()).release())).toBe('admitted');
  });

  it('refuses while database connections are further away than its bound, and names the bound it hit', () => {
    let waitedMs = 0;
    const reasons: string[] = [];
    admission = createAdmission(
      { maxInFlight: 10, maxBufferedBytes: 1e6, maxBodyBytes: 1e6, maxEventLoopDelayMs: 1e4, maxDatabaseWaitMs: 50 },
      (reason) => reasons.push(reason),
      () => waitedMs,
    );
    waitedMs = 50;
    expect(codeOf(() => admission.admit(request()).release())).toBe('admitted');
    waitedMs = 51;
    expect(codeOf(() => admission.admit(request()))).toBe('SERVICE_UNAVAILABLE');
    expect(codeOf(() => admission.admitMessage(10))).toBe('SERVICE_UNAVAILABLE');
    expect(reasons).toEqual(['database_wait', 'database_wait']);
    expect(admission.inFlight).toBe(0);
  });

  it('gives back a ticket once however often it is released', () => {
    admission = createAdmission({
      maxInFlight: 1,
      maxBufferedBytes: 150,
      maxBodyBytes: 1e6,
      maxEventLoopDelayMs: 1e4,
      maxDatabaseWaitMs: 1e4,
    });
    const ticket = admission.admit(request());
    expect(admission.bufferedBytes).toBe(100);
    expect(codeOf(() => admission.admit(request()))).toBe('SERVICE_UNAVAILABLE');
    ticket.release();
    ticket.release();
    expect([admission.inFlight, admission.bufferedBytes]).toEqual([0, 0]);
    expect(codeOf(() => admission.admit(request({ 'content-length': '151' })))).toBe('SERVICE_UNAVAILABLE');
  });
});
