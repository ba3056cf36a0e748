/**
 * The emulator benchmark's load generator, a child process of emulatorBench.ts so that its CPU is not the
 * emulator's: it receives a LoadCase, starts Converse calls on a fixed schedule, and answers with a LoadResult.
 */
import { connect } from 'node:http2';

import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';

import type { LoadCase, LoadResult } from './loadCase.js';
import { withComment } from './noisyJpeg.js';

/** Generous: a call that takes this long has failed anyway, and the case must end. */
const REQUEST_TIMEOUT_MS = 30_000;

const MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';
const PROMPT = 'Describe.';
const MAX_TOKENS = 300;

/**
 * Sends the generator's `i`-th Converse call with these image bytes; resolves when the whole answer is in, rejects on
 * any failure.
 */
type Caller = (i: number, image: Buffer) => Promise<void>;

/** A started set of clients and how to let them go. */
interface Callers {
  call: Caller;
  close(): void;
}

function sdkCallers(loadCase: LoadCase): Callers {
  const clients = Array.from(
    { length: loadCase.clients },
    () =>
      new BedrockRuntimeClient({
        endpoint: loadCase.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
        // One attempt: a retry would hide a failure and add load the schedule did not ask for.
        maxAttempts: 1,
        requestHandler: new NodeHttp2Handler({
          requestTimeout: REQUEST_TIMEOUT_MS,
          disableConcurrentStreams: loadCase.client === 'sdk-session-per-call',
        }),
      }),
  );
  return {
    async call(i, image) {
      await clients[i % clients.length].send(
        new ConverseCommand({
          modelId: MODEL_ID,
          messages: [
            { role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: image } } }, { text: PROMPT }] },
          ],
          inferenceConfig: { maxTokens: MAX_TOKENS },
        }),
      );
    },
    close: () => clients.forEach((c) => c.destroy()),
  };
}

/** The body the SDK sends for the same command. */
function converseBody(image: Buffer): string {
  return JSON.stringify({
    messages: [
      {
        role: 'user',
        content: [{ image: { format: 'jpeg', source: { bytes: image.toString('base64') } } }, { text: PROMPT }],
      },
    ],
    inferenceConfig: { maxTokens: MAX_TOKENS },
  });
}

function http2Callers(loadCase: LoadCase, sameImage: Buffer): Callers {
  const sessions = Array.from({ length: loadCase.clients }, () => connect(loadCase.url));
  for (const session of sessions) session.on('error', () => {});
  const path = `/model/${encodeURIComponent(MODEL_ID)}/converse`;
  const sameBody = converseBody(sameImage);
  return {
    call: (i, image) =>
      new Promise<void>((resolve, reject) => {
        const req = sessions[i % sessions.length].request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/json',
        });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.close());
        let status = 0;
        req.on('response', (headers) => {
          status = Number(headers[':status']);
        });
        req.on('data', () => {});
        req.on('end', () => (status === 200 ? resolve() : reject(new Error(`HTTP ${status}`))));
        req.on('error', reject);
        req.end(image === sameImage ? sameBody : converseBody(image));
      }),
    close: () => sessions.forEach((s) => s.close()),
  };
}

function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message.slice(0, 100)}`;
}

async function run(loadCase: LoadCase): Promise<LoadResult> {
  const jpeg = Buffer.from(loadCase.jpegBase64, 'base64');
  const callers = loadCase.client === 'http2' ? http2Callers(loadCase, jpeg) : sdkCallers(loadCase);
  const total = Math.round(loadCase.rate * loadCase.seconds);
  const { index, count } = loadCase.shard;
  const latenciesMs: number[] = [];
  const startLagsMs: number[] = [];
  const errors: Record<string, number> = {};
  const calls: Promise<void>[] = [];
  let lastAnswerAt = 0;

  const call = (k: number, dueAt: number): Promise<void> => {
    const image = loadCase.images === 'same' ? jpeg : withComment(jpeg, loadCase.seed * 1_000_000 + k);
    return callers.call(calls.length, image).then(
      () => {
        lastAnswerAt = performance.now();
        latenciesMs.push(lastAnswerAt - dueAt);
      },
      (error: unknown) => {
        lastAnswerAt = performance.now();
        const kind = errorKind(error);
        errors[kind] = (errors[kind] ?? 0) + 1;
      },
    );
  };

  const cpuBefore = process.cpuUsage();
  const start = performance.now() + (loadCase.startAtMs - Date.now());
  let next = index;
  await new Promise<void>((resolve) => {
    // A timer every millisecond starts whatever is due; the schedule, not the timer, decides when a call was due.
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / loadCase.rate <= now) {
        const dueAt = start + (next * 1000) / loadCase.rate;
        startLagsMs.push(now - dueAt);
        calls.push(call(next, dueAt));
        next += count;
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  await Promise.all(calls);
  const cpu = process.cpuUsage(cpuBefore);
  callers.close();
  return {
    sent: calls.length,
    latenciesMs,
    startLagsMs,
    errors,
    lastAnswerAtMs: Date.now() - (performance.now() - lastAnswerAt),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.on('message', (loadCase: LoadCase) => {
  run(loadCase).then(
    (result) => process.send?.(result),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
      process.disconnect();
    },
  );
});
process.on('disconnect', () => process.exit());
