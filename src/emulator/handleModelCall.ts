import { randomUUID } from 'node:crypto';

import { BedrockError, validationError } from './bedrockError.js';
import { withControlCharacters } from './controlCharacters.js';
import type { EmulatorState } from './emulatorState.js';
import { faultChunkDelayMs, faultDelayMs, faultError } from './faults.js';
import type { OperationAnswer, OperationRoute } from './operation.js';
import { readAuthScheme } from './readAuthScheme.js';
import { recordCall } from './recordCall.js';
import { resetResponse } from './resetResponse.js';
import { streamFailure } from './streamFailure.js';
import type { Fault } from './types.js';
import { readBody, stopSignal, writeError } from './wire.js';
import type { WireRequest, WireResponse } from './wire.js';
import { withoutUsage } from './withoutUsage.js';
import { writeAnswer } from './writeAnswer.js';
import { writeHtmlPage } from './writeHtmlPage.js';

const notJson = Symbol('not JSON');

/**
 * Serves one model call: read the body, consume a fault, wait the configured latency, answer (or, under a fault,
 * damage the answer, or give none), record. The call is
 * recorded before the answer is written, so a test sees it in `calls` as soon as the SDK returns; a streamed answer
 * then keeps its record's `chunksSent` and `cancelled` up to date while it is written.
 */
export async function handleModelCall(
  state: EmulatorState,
  req: WireRequest,
  res: WireResponse,
  match: { route: OperationRoute; modelId: string },
): Promise<void> {
  const requestId = randomUUID();
  const startedAt = Date.now();
  // A stream is written over time and must notice a client that leaves, even during the wait below; a JSON answer is
  // written at once, and most calls are JSON: they skip the watch and its listeners.
  let stop = match.route.streams ? stopSignal(res, state.closing) : undefined;
  const rawBody = (await readBody(req)).toString('utf8');
  const body = parseJson(rawBody);
  const fault = state.faults.take(match.modelId, match.route.streams);
  const waitMs = state.latencyMs + (fault ? faultDelayMs(fault) : 0);
  // When the emulator closes during the wait its sockets are being destroyed, so there is no one to answer.
  if (waitMs > 0 && !(await state.closing.delay(waitMs))) return;
  const { operation } = match.route;
  const record = (status: number) => {
    const call = recordCall(state, {
      operation,
      modelId: match.modelId,
      body: body === notJson ? undefined : body,
      rawBody,
      requestId,
      status,
      auth: readAuthScheme(req) ?? 'none',
    });
    const log = { operation, modelId: match.modelId, status, requestId, fault: fault?.kind };
    state.logger?.info({ ...log, ms: Date.now() - startedAt }, 'bedrock emulator call');
    return { call, log };
  };
  // Faults that replace the whole answer: nothing, a reset, or a proxy's page.
  if (fault?.kind === 'reset-before-answer') {
    record(0);
    await resetResponse(res);
    return;
  }
  if (fault?.kind === 'hang' && streamFailure(fault) === undefined) {
    const { call } = record(0);
    await whenAborted((stop ??= stopSignal(res, state.closing)));
    call.cancelled = true;
    return;
  }
  if (fault?.kind === 'non-json-body') {
    record(200);
    writeHtmlPage(res, requestId);
    return;
  }
  const answer = await runOperation(state, match, fault, body, requestId, startedAt);
  const { call, log } = record(answer instanceof BedrockError ? answer.status : 200);
  if (answer instanceof BedrockError) {
    writeError(res, requestId, answer);
    return;
  }
  const outcome = await writeAnswer(res, requestId, fault?.kind === 'no-usage' ? withoutUsage(answer) : answer, {
    chunkDelayMs: faultChunkDelayMs(fault, state.streamChunkDelayMs),
    failure: streamFailure(fault),
    get signal() {
      return (stop ??= stopSignal(res, state.closing));
    },
    onProgress: (progress) => Object.assign(call, progress),
  });
  if (outcome) state.logger?.info({ ...log, ...outcome, ms: Date.now() - startedAt }, 'bedrock emulator stream ended');
}

async function runOperation(
  state: EmulatorState,
  match: { route: OperationRoute; modelId: string },
  fault: Fault | undefined,
  body: unknown,
  requestId: string,
  startedAt: number,
): Promise<OperationAnswer | BedrockError> {
  const injected = fault && faultError(fault);
  if (injected) return injected;
  if (body === notJson) {
    return validationError(
      'Malformed input request: the body is not valid JSON, please reformat your input and try again.',
    );
  }
  try {
    const rewriteText = fault?.kind === 'control-characters' ? withControlCharacters : undefined;
    return await match.route.handle({
      modelId: match.modelId,
      body,
      requestId,
      startedAt,
      images: state.images,
      rewriteText,
    });
  } catch (error) {
    if (error instanceof BedrockError) return error;
    // A bug in the emulator: answer as the service would for its own failure, and leave a trace.
    state.logger?.info({ err: error, requestId }, 'bedrock emulator operation failed');
    return new BedrockError('InternalServerException', `The emulator failed: ${String(error)}`);
  }
}

/** Resolves when `signal` aborts: the client left, or the emulator is closing. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return notJson;
  }
}
