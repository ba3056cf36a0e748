import type { Billing } from './createBillingOracle.js';
import type { ClientLog } from './clientLog.js';
import type { EmulatorCall } from './emulatorCalls.js';
import type { LedgerRow } from './readLedger.js';
import { tokenIn } from './requestToken.js';
import { formatUsd, usdUnits } from './usdUnits.js';

/** One invariant's verdict, with what it counted and the first few rows or calls that broke it. */
export interface InvariantResult {
  readonly name: string;
  readonly pass: boolean;
  readonly summary: string;
  readonly failures: readonly string[];
}

export interface InvariantInput {
  /** What the clients sent and were answered. */
  readonly client: ClientLog;
  /** The whole ledger, read after recovery has run (no request still in flight). */
  readonly rows: readonly LedgerRow[];
  /** Every model call the emulator saw during the run. */
  readonly calls: readonly EmulatorCall[];
  readonly bill: (call: EmulatorCall) => Promise<Billing>;
}

const MAX_LISTED = 5;

function verdict(name: string, failures: string[], summary: string): InvariantResult {
  const listed = failures.slice(0, MAX_LISTED);
  if (failures.length > MAX_LISTED) listed.push(`… and ${failures.length - MAX_LISTED} more`);
  return { name, pass: failures.length === 0, summary, failures: listed };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string | undefined, T[]> {
  const groups = new Map<string | undefined, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

/** (a) Every request answered with a row has exactly that row; no row without a request; no row for a refusal. */
function acceptedEqualsRows(client: ClientLog, rows: readonly LedgerRow[]): InvariantResult {
  const failures: string[] = [];
  const byKey = groupBy(rows, (row) => row.clientRequestId ?? undefined);
  let accepted = 0;
  let lostWithRow = 0;
  for (const request of client.values()) {
    const keyRows = byKey.get(request.clientRequestId) ?? [];
    const rowAnswers = request.answers.filter((a) => a.kind === 'row');
    if (keyRows.length > 1) failures.push(`${request.clientRequestId}: ${keyRows.length} rows`);
    if (rowAnswers.length > 0) {
      accepted += 1;
      for (const answer of rowAnswers) {
        if (!keyRows.some((row) => row.id === answer.id)) {
          failures.push(`${request.clientRequestId}: answered with row ${answer.id}, which the ledger does not hold`);
        }
      }
    } else if (request.answers.some((a) => a.kind === 'lost')) {
      if (keyRows.length > 0) lostWithRow += 1;
    } else if (keyRows.length > 0) {
      const codes = request.answers.map((a) => (a.kind === 'refused' ? a.code : a.kind)).join(', ');
      failures.push(`${request.clientRequestId}: refused (${codes}) but row ${keyRows[0]?.id} exists`);
    }
  }
  for (const row of rows) {
    if (row.clientRequestId === null || !client.has(row.clientRequestId)) {
      failures.push(`row ${row.id} (clientRequestId ${row.clientRequestId}) belongs to no request sent`);
    }
  }
  const summary =
    `${accepted} requests accepted, ${rows.length} rows` +
    (lostWithRow > 0 ? ` (${lostWithRow} of them for requests whose answer was lost)` : '');
  if (failures.length === 0 && accepted + lostWithRow !== rows.length) {
    failures.push(`${accepted} accepted + ${lostWithRow} lost with a row ≠ ${rows.length} rows`);
  }
  return verdict('accepted requests == rows', failures, summary);
}

/** (b) Recovery has closed every row. */
function noPendingRows(rows: readonly LedgerRow[]): InvariantResult {
  const pending = rows.filter((row) => row.status === 'PENDING');
  return verdict(
    'no row PENDING after recovery',
    pending.map((row) => `row ${row.id} (${row.clientRequestId}) is PENDING`),
    `${pending.length} of ${rows.length} rows PENDING`,
  );
}

/** (c) Each call carries a token whose row was written before the emulator received the call. */
function callsFollowRows(calls: readonly EmulatorCall[], byToken: Map<string | undefined, LedgerRow[]>) {
  const failures: string[] = [];
  for (const call of calls) {
    const token = tokenIn(call.rawBody);
    const rows = (byToken.get(token) ?? []).filter((row) => row.cached !== true);
    if (token === undefined) failures.push(`call ${call.requestId} carries no request token`);
    else if (rows.length === 0) failures.push(`call ${call.requestId} (${token}) has no row`);
    else if (call.receivedAt === undefined) failures.push(`call ${call.requestId} was not logged by the emulator`);
    else {
      const written = Math.min(...rows.map((row) => row.createdAt));
      if (written > call.receivedAt) {
        failures.push(`call ${call.requestId} (${token}) received ${written - call.receivedAt} ms before its row`);
      }
    }
  }
  return verdict(
    'every model call preceded by its row',
    failures,
    `${calls.length} calls, ${calls.length - failures.length} after their rows`,
  );
}

interface TokenAccount {
  readonly rows: readonly LedgerRow[];
  readonly billings: readonly Billing[];
}

/** (d) A key's calls that Bedrock may have billed: at most one per key (a cached row makes none). */
function billedOnce(accounts: ReadonlyMap<string | undefined, TokenAccount>): InvariantResult {
  const failures: string[] = [];
  let billable = 0;
  for (const [token, { rows, billings }] of accounts) {
    const calls = billings.filter((b) => b.kind !== 'unbilled').length;
    const keys = new Set(rows.filter((row) => row.cached !== true).map((row) => row.clientRequestId)).size;
    billable += calls;
    if (calls > keys) failures.push(`${token}: ${calls} billed calls for ${keys} clientRequestId(s)`);
  }
  return verdict('no clientRequestId billed twice', failures, `${billable} billed calls over ${accounts.size} tokens`);
}

/**
 * (e) Row costs add up to what the emulator billed. A request whose usage was lost on the way must say its cost
 * is unknown (null, or usageKnown false), never 0 or a part; unless every count arrived after all, and then its
 * row carries the whole bill. All others must match their billed calls exactly.
 */
function costsMatchBilling(accounts: ReadonlyMap<string | undefined, TokenAccount>): InvariantResult {
  const failures: string[] = [];
  let ledger = 0n;
  let billed = 0n;
  let lostCalls = 0;
  let lostUsd = 0n;
  const sum = (billings: readonly Billing[], kind: Billing['kind']) =>
    billings.reduce(
      (total, b) => total + (b.kind === kind && 'costUsd' in b && b.costUsd !== null ? usdUnits(b.costUsd) : 0n),
      0n,
    );
  for (const [token, { rows, billings }] of accounts) {
    const lost = billings.filter((b) => b.kind === 'lost').length;
    lostCalls += lost;
    lostUsd += sum(billings, 'lost');
    if (lost > 0 && rows.some((row) => row.costUsd === null || row.usageKnown === false)) continue;
    const expected = sum(billings, 'billed') + sum(billings, 'lost');
    const recorded = rows.reduce((total, row) => total + (row.costUsd === null ? 0n : usdUnits(row.costUsd)), 0n);
    ledger += recorded;
    billed += expected;
    if (recorded !== expected) {
      failures.push(
        lost > 0
          ? `${token}: usage lost on the way, yet its rows claim ${formatUsd(recorded)} (the whole bill: ${formatUsd(expected)})`
          : `${token}: rows cost ${formatUsd(recorded)}, the emulator billed ${formatUsd(expected)}`,
      );
    }
  }
  const summary =
    `rows $${formatUsd(ledger)}, emulator billed $${formatUsd(billed)}` +
    (lostCalls > 0 ? `; ${lostCalls} calls whose usage was lost (up to $${formatUsd(lostUsd)}), rows say unknown` : '');
  return verdict('sum of row costs == emulator billed', failures, summary);
}

/**
 * The five ledger invariants of the fault suite and the soak, checked against three independent accounts: what
 * the clients were answered, what the ledger holds, and what the emulator saw (its recorded calls and its log).
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantResult[]> {
  const byToken = groupBy(input.rows, (row) => tokenIn(row.prompt));
  const accounts = new Map<string | undefined, { rows: LedgerRow[]; billings: Billing[] }>();
  const account = (token: string | undefined) => {
    let found = accounts.get(token);
    if (found === undefined) {
      found = { rows: byToken.get(token) ?? [], billings: [] };
      accounts.set(token, found);
    }
    return found;
  };
  for (const token of byToken.keys()) account(token);
  // One at a time: the oracle replays each distinct request once and reuses the answer.
  for (const call of input.calls) account(tokenIn(call.rawBody)).billings.push(await input.bill(call));
  return [
    acceptedEqualsRows(input.client, input.rows),
    noPendingRows(input.rows),
    callsFollowRows(input.calls, byToken),
    billedOnce(accounts),
    costsMatchBilling(accounts),
  ];
}

/** The verdicts as lines for a terminal or a test's failure message. */
export function formatInvariants(results: readonly InvariantResult[]): string {
  return results
    .flatMap((r) => [`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.summary}`, ...r.failures.map((f) => `      ${f}`)])
    .join('\n');
}
