import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantInput } from '../../bench/invariants/checkInvariants.js';
import type { ClientAnswer, ClientLog } from '../../bench/invariants/clientLog.js';
import { billingKind, type Billing } from '../../bench/invariants/createBillingOracle.js';
import type { EmulatorCall } from '../../bench/invariants/emulatorCalls.js';
import type { LedgerRow } from '../../bench/invariants/readLedger.js';
import { usdUnits } from '../../bench/invariants/usdUnits.js';

/** A tiny consistent run: two requests, each with its row and one billed call at 0.0005 USD. */
const T1 = 'fp-000000000001';
const T2 = 'fp-000000000002';

function row(token: string, key: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return {
    id: `row-${key}`,
    status: 'SUCCEEDED',
    prompt: `Describe this image. [${token}]`,
    clientRequestId: key,
    createdAt: 1_000,
    costUsd: '0.0005',
    errorCode: null,
    usageKnown: undefined,
    cached: undefined,
    ...overrides,
  };
}

function call(token: string, overrides: Partial<EmulatorCall> = {}): EmulatorCall {
  return {
    operation: 'Converse',
    modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
    body: undefined,
    rawBody: `{"messages":[{"content":[{"text":"Describe this image. [${token}]"}]}]}`,
    requestId: `call-${token}-${Math.random()}`,
    status: 200,
    auth: 'sigv4',
    receivedAt: 1_005,
    fault: undefined,
    ...overrides,
  };
}

function client(...requests: [key: string, token: string, ...answers: ClientAnswer[]][]): ClientLog {
  return new Map(
    requests.map(([clientRequestId, token, ...answers]) => [clientRequestId, { clientRequestId, token, answers }]),
  );
}

/** The emulator's price: 0.0005 for a billed or lost call, nothing for a refused one. */
const bill = async (c: EmulatorCall): Promise<Billing> => {
  const kind = billingKind(c);
  return kind === 'unbilled' ? { kind } : { kind, costUsd: '0.0005' };
};

function consistentRun(): InvariantInput {
  return {
    client: client(
      ['k1', T1, { kind: 'row', id: 'row-k1', code: undefined }],
      ['k2', T2, { kind: 'row', id: 'row-k2', code: undefined }],
    ),
    rows: [row(T1, 'k1'), row(T2, 'k2')],
    calls: [call(T1), call(T2)],
    bill,
  };
}

async function failing(input: InvariantInput): Promise<string[]> {
  return (await checkInvariants(input)).filter((r) => !r.pass).map((r) => r.name);
}

describe('the ledger invariant checker', () => {
  it('passes a run whose three accounts agree', async () => {
    expect(await failing(consistentRun())).toEqual([]);
  });

  it('fails "accepted == rows" for an answered row the ledger lacks, a refusal with a row, and a stray row', async () => {
    const run = consistentRun();
    expect(await failing({ ...run, rows: [row(T1, 'k1')], calls: [call(T1)] })).toContain('accepted requests == rows');
    const refused = client(
      ['k1', T1, { kind: 'row', id: 'row-k1', code: undefined }],
      ['k2', T2, { kind: 'refused', code: 'SERVICE_UNAVAILABLE' }],
    );
    expect(await failing({ ...run, client: refused })).toContain('accepted requests == rows');
    const stray = [...run.rows, row('fp-00000000000f', 'k9', { costUsd: null })];
    expect(await failing({ ...run, rows: stray })).toEqual(['accepted requests == rows']);
  });

  it('accepts a row or none for a request whose answer was lost', async () => {
    const run = consistentRun();
    const lost = client(
      ['k1', T1, { kind: 'row', id: 'row-k1', code: undefined }],
      ['k2', T2, { kind: 'lost', reason: 'socket hang up' }],
    );
    expect(await failing({ ...run, client: lost })).toEqual([]);
  });

  it('fails "no row PENDING" for a row left PENDING', async () => {
    const run = consistentRun();
    const rows = [row(T1, 'k1'), row(T2, 'k2', { status: 'PENDING' })];
    expect(await failing({ ...run, rows })).toEqual(['no row PENDING after recovery']);
  });

  it('fails "preceded by its row" for a call without a row and a call received before its row was written', async () => {
    const run = consistentRun();
    expect(await failing({ ...run, calls: [...run.calls, call('fp-00000000000f', { status: 429 })] })).toEqual([
      'every model call preceded by its row',
    ]);
    expect(await failing({ ...run, calls: [call(T1, { receivedAt: 999 }), call(T2)] })).toEqual([
      'every model call preceded by its row',
    ]);
  });

  it('fails "billed twice" for a second billed call under one key, and not for a refused one', async () => {
    const run = consistentRun();
    expect(await failing({ ...run, calls: [...run.calls, call(T1, { status: 429 })] })).toEqual([]);
    const twice = await failing({ ...run, calls: [...run.calls, call(T1, { status: 0, fault: 'hang' })] });
    expect(twice).toContain('no clientRequestId billed twice');
  });

  it('fails "costs" for a row whose cost differs from the billed usage, or claims 0 for lost usage', async () => {
    const run = consistentRun();
    const wrong = [row(T1, 'k1'), row(T2, 'k2', { costUsd: '0.0004' })];
    expect(await failing({ ...run, rows: wrong })).toEqual(['sum of row costs == emulator billed']);
    const lostCalls = [call(T1), call(T2, { fault: 'no-usage' })];
    const zero = [row(T1, 'k1'), row(T2, 'k2', { costUsd: '0' })];
    expect(await failing({ ...run, rows: zero, calls: lostCalls })).toEqual(['sum of row costs == emulator billed']);
    const honest = [row(T1, 'k1'), row(T2, 'k2', { costUsd: null })];
    expect(await failing({ ...run, rows: honest, calls: lostCalls })).toEqual([]);
  });
});

describe('what the checker counts as billed', () => {
  it('tells refused, billed and lost calls apart', () => {
    expect(billingKind(call(T1, { status: 429, fault: 'throttle' }))).toBe('unbilled');
    expect(billingKind(call(T1))).toBe('billed');
    expect(billingKind(call(T1, { fault: 'slow' }))).toBe('billed');
    expect(billingKind(call(T1, { fault: 'truncated-body' }))).toBe('lost');
    expect(billingKind(call(T1, { status: 0, fault: 'reset-before-answer' }))).toBe('lost');
    expect(billingKind(call(T1, { operation: 'ConverseStream', cancelled: true }))).toBe('lost');
    expect(billingKind(call(T1, { operation: 'ConverseStream', cancelled: false }))).toBe('billed');
  });

  it('rounds USD to the ledger’s 12 decimals as PostgreSQL does', () => {
    expect(usdUnits('0.0000000000005')).toBe(1n);
    expect(usdUnits('0.0000000000004')).toBe(0n);
    expect(usdUnits('1.5')).toBe(1_500_000_000_000n);
  });
});
