import { AppError } from '../errors.js';
import { bedrockErrorToAppError, cancelledError } from './bedrockErrorToAppError.js';
import type { ModelCatalog } from './modelCatalog.js';
import type { TokenCounts } from './ModelAttempt.js';
import type { VisionRequest, VisionResult, VisionStreamEvent } from './VisionModel.js';

/** Turns one API's stream events into text deltas and, at the end, the result. */
export interface StreamDecoder<Event> {
  /** The text an event adds, if any. Throws for an exception event. */
  accept(event: Event): string | undefined;
  /** The whole answer; throws when the stream ended before the model finished. */
  result(requestId: string | undefined): VisionResult;
  /** The usage received so far, nothing assumed for what has not arrived (a stream cut early keeps its input count). */
  usage(): TokenCounts;
}

/** An opened stream: the SDK's event iterable and the request id of the HTTP response. */
export interface OpenedStream<Event> {
  readonly events: AsyncIterable<Event> | undefined;
  readonly requestId: string | undefined;
}

export interface ReadModelStreamOptions<Event> {
  readonly request: VisionRequest;
  /** Whose current models a refused model's message names. */
  readonly catalog: ModelCatalog;
  /**
   * Longest wait for the next event once the stream has started. The SDK's own socket
   * timeout must be longer: when it fires first it ends the stream quietly, which would
   * read as an incomplete answer instead of a timeout.
   */
  readonly idleTimeoutMs: number;
  /** Sends the command with this AbortSignal and returns its stream. */
  readonly open: (abortSignal: AbortSignal) => Promise<OpenedStream<Event>>;
  readonly decoder: StreamDecoder<Event>;
}

/** For a stream that stops short of the model's stop event (a dropped connection). */
export function incompleteStreamError(): AppError {
  return new AppError('UPSTREAM_ERROR', 'Bedrock ended the stream before the answer was complete');
}

/** The next event, or a TimeoutError (so UPSTREAM_TIMEOUT) when Bedrock sends nothing for `ms`. */
async function nextWithin<Event>(iterator: AsyncIterator<Event>, ms: number): Promise<IteratorResult<Event>> {
  const next = iterator.next();
  // After a timeout the stream is reset, so the abandoned read may fail later; nobody waits for it.
  next.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error(`Bedrock's stream sent nothing for ${ms} ms`), { name: 'TimeoutError' }));
    }, ms);
  });
  try {
    return await Promise.race([next, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a Bedrock event stream as VisionStreamEvents. `open` sends the command with an
 * AbortSignal that is aborted when the request's own signal aborts, when the consumer
 * stops iterating early, and on any failure: aborting is what makes the SDK's HTTP/2
 * handler reset the stream, so Bedrock stops generating (and billing) for nobody.
 * Every failure leaves as an AppError: CANCELLED when the request's signal aborted,
 * otherwise the UPSTREAM_* code of the SDK error, mid-stream exception events included.
 */
export async function* readModelStream<Event>({
  request,
  catalog,
  idleTimeoutMs,
  open,
  decoder,
}: ReadModelStreamOptions<Event>): AsyncGenerator<VisionStreamEvent, void, undefined> {
  const clientSignal = request.signal;
  if (clientSignal?.aborted) throw cancelledError(clientSignal.reason);
  const cancel = new AbortController();
  const onClientAbort = () => cancel.abort(clientSignal?.reason);
  clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  let iterator: AsyncIterator<Event> | undefined;
  let ended = false;
  // Once Bedrock answered 200, its attempt is billed; how it ended is recorded on the attempt.
  let answered = false;
  const settleAttempt = (outcome: 'DAMAGED' | 'CANCELLED', error: unknown) => {
    answered = false;
    const errorType = error instanceof AppError ? error.code : ((error as { name?: string }).name ?? 'Error');
    request.attempts?.updateLast((attempt) => ({ ...attempt, outcome, errorType, usage: decoder.usage() }));
  };
  try {
    const opened = await open(cancel.signal);
    answered = true;
    iterator = opened.events?.[Symbol.asyncIterator]();
    for (;;) {
      if (clientSignal?.aborted) throw cancelledError(clientSignal.reason);
      const next: IteratorResult<Event> =
        iterator === undefined ? { done: true, value: undefined } : await nextWithin(iterator, idleTimeoutMs);
      if (next.done) break;
      const text = decoder.accept(next.value);
      if (text !== undefined && text !== '') yield { type: 'delta', text };
    }
    ended = true;
    // An abort during the last read can end the stream quietly instead of failing it.
    if (clientSignal?.aborted) throw cancelledError(clientSignal.reason);
    const result = decoder.result(opened.requestId);
    answered = false;
    request.attempts?.updateLast((attempt) => ({ ...attempt, usage: decoder.usage() }));
    yield { type: 'done', result };
  } catch (error) {
    // The stream's status was 200, so Bedrock billed what ran; keep the usage that arrived.
    if (answered) settleAttempt(clientSignal?.aborted ? 'CANCELLED' : 'DAMAGED', error);
    if (error instanceof AppError && error.code === 'CANCELLED') throw error;
    if (clientSignal?.aborted) throw cancelledError(error);
    throw bedrockErrorToAppError(error, request.modelId, catalog);
  } finally {
    clientSignal?.removeEventListener('abort', onClientAbort);
    // The consumer stopped reading early (it went away).
    if (answered) settleAttempt('CANCELLED', cancelledError());
    if (!ended) {
      // Reset the HTTP/2 stream first, so the iterator's own clean-up has nothing left to wait for.
      cancel.abort();
      iterator?.return?.().catch(() => undefined);
    }
  }
}
