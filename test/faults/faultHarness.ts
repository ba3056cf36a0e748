import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { checkInvariants, formatInvariants } from '../../bench/invariants/checkInvariants.js';
import { answerOf, recordAnswer, type ClientAnswer, type ClientLog } from '../../bench/invariants/clientLog.js';
import { createBillingOracle } from '../../bench/invariants/createBillingOracle.js';
import { createCallTimings, withTimings } from '../../bench/invariants/emulatorCalls.js';
import type { LedgerRow } from '../../bench/invariants/readLedger.js';
import { newRequestToken, promptWithToken, tokenIn } from '../../bench/invariants/requestToken.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { spawnServer, type ServerProcess } from '../helpers/spawnServer.js';
import { subscribe, wsClient } from '../helpers/subscribe.js';

const DESCRIBE = 'mutation ($input: DescribeImageInput!) { describeImage(input: $input) { id status } }';
const STREAM = `subscription ($input: DescribeImageInput!) {
  describeImageStream(input: $input) { delta description { id status } }
}`;

/** One logical request: a clientRequestId and the token its prompt carries (sent again, it is a duplicate). */
export interface FaultRequest {
  readonly clientRequestId: string;
  readonly token: string;
}

/**
 * What a fault test holds for one run: an emulator whose calls are timed by its own log, real server processes,
 * the client's account of every request, and the invariant checker over the three.
 */
export interface FaultHarness {
  readonly emulator: Emulator;
  readonly client: ClientLog;
  /** A server process as `npm start` runs it, with its own completion journal, on this run's emulator. */
  spawn(env: Record<string, string>): ServerProcess;
  newRequest(): FaultRequest;
  /** describeImage over HTTP; a failed connection is a lost answer. */
  describe(origin: string, request?: FaultRequest): Promise<ClientAnswer>;
  /** describeImageStream over graphql-ws, read to its end. */
  stream(origin: string, request?: FaultRequest): Promise<ClientAnswer>;
  /**
   * Runs the checker on the ledger as `rows` reads it and fails the test with its report if an invariant broke.
   * With `only`, the check is scoped to those requests (their rows, calls and answers), so one fault's breach is
   * reported once, by its own test, and not again by every test after it.
   */
  expectInvariants(rows: () => Promise<LedgerRow[]>, only?: readonly FaultRequest[]): Promise<void>;
  close(): Promise<void>;
}

export async function createFaultHarness(): Promise<FaultHarness> {
  const timings = createCallTimings();
  const emulator = await startEmulator({ maxRecordedCalls: Infinity, logger: timings.logger });
  const oracle = await createBillingOracle();
  const image = toBase64(await solidImage(16, 16));
  const client: ClientLog = new Map();
  const servers: ServerProcess[] = [];
  const folders: string[] = [];
  const newRequest = () => ({ clientRequestId: randomUUID(), token: newRequestToken() });
  const input = (request: FaultRequest) => ({
    image: { base64: image },
    prompt: promptWithToken('Describe this image.', request.token),
    maxTokens: 200,
    clientRequestId: request.clientRequestId,
  });
  const record = (request: FaultRequest, answer: ClientAnswer) => {
    recordAnswer(client, request.clientRequestId, request.token, answer);
    return answer;
  };

  return {
    emulator,
    client,
    spawn(env) {
      const journal = mkdtempSync(join(tmpdir(), 'bvg-faults-journal-'));
      folders.push(journal);
      const server = spawnServer({
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
        COMPLETION_JOURNAL_DIR: journal,
        // The machine is shared with other tests: a busy core, or a pool slowed by it, must not read as this
        // server's overload. A stopped or frozen database is answered by the pool's own timeout, as before.
        MAX_EVENT_LOOP_DELAY_MS: '60000',
        MAX_DATABASE_WAIT_MS: '0',
        ...env,
      });
      servers.push(server);
      return server;
    },
    newRequest,
    async describe(origin, request = newRequest()) {
      try {
        const response = await fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: DESCRIBE, variables: { input: input(request) } }),
          // Longer than any fault here lasts: a request still unanswered then is reported, not waited on forever.
          signal: AbortSignal.timeout(30_000),
        });
        return record(request, answerOf((await response.json()) as Parameters<typeof answerOf>[0]));
      } catch (error) {
        return record(request, { kind: 'lost', reason: String(error) });
      }
    },
    async stream(origin, request = newRequest()) {
      const ws = wsClient(`${origin}/graphql`);
      try {
        const events = await subscribe<{ describeImageStream: { description: { id: string } | null } }>(ws, STREAM, {
          input: input(request),
        }).done;
        return record(request, answerOf({ data: events.at(-1) }));
      } catch (error) {
        const { errors } = error as { errors?: Parameters<typeof answerOf>[0]['errors'] };
        return record(request, errors ? answerOf({ errors }) : { kind: 'lost', reason: String(error) });
      } finally {
        await ws.dispose();
      }
    },
    async expectInvariants(rows, only) {
      const tokens = only === undefined ? undefined : new Set(only.map((r) => r.token));
      const inScope = (text: string) => tokens === undefined || tokens.has(tokenIn(text) ?? '');
      const results = await checkInvariants({
        client: new Map([...client].filter(([, request]) => tokens === undefined || tokens.has(request.token))),
        rows: (await rows()).filter((row) => inScope(row.prompt)),
        calls: withTimings(emulator.calls, timings.timings).filter((call) => inScope(call.rawBody)),
        bill: (call) => oracle.bill(call),
      });
      expect(
        results.every((r) => r.pass),
        formatInvariants(results),
      ).toBe(true);
    },
    async close() {
      for (const server of servers) server.kill();
      await Promise.all(servers.map((s) => s.exited));
      await oracle.close();
      await emulator.close();
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `read` until `done` holds. Without `giveUpMs` the test's timeout bounds it; with it, the last value is
 * returned after that long, for a check that then says what is wrong. No wall-clock time is asserted either way.
 */
export async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  giveUpMs = Infinity,
): Promise<T> {
  const end = Date.now() + giveUpMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
