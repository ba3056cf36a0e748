import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { encodeEvent, encodeException } from './encodeEvent.js';
import type { EventStreamAnswer } from './operation.js';
import { resetResponse } from './resetResponse.js';
import type { StreamFailure } from './streamFailure.js';
import type { WireResponse } from './wire.js';

/** How one stream is written, beyond its events. */
export interface StreamPlan {
  /** Pause between two text deltas. */
  chunkDelayMs: number;
  /** A mid-stream error, reset, cut or silence to end with instead of the answer's ending. */
  failure: StreamFailure | undefined;
  /** Aborted when the response closes (client gone) or the emulator closes: the stream stops there. */
  signal: AbortSignal;
  /** Told how far the stream got: after every delta, and once more with `cancelled` when it is over. */
  onProgress(progress: { chunksSent: number; cancelled?: boolean }): void;
}

/** How a stream ended, as far as the writer could tell. */
export interface StreamOutcome {
  chunksSent: number;
  cancelled: boolean;
}

/**
 * Writes an event-stream answer message by message, each one handed to the socket as soon as it exists, and paced
 * like a model that produces text over time. When the client goes away (SDK abort, reset stream, closed connection),
 * or the emulator closes, it stops writing and reports the stream cancelled rather than writing into a dead stream.
 * Nothing is awaited after `end()`, so the close that follows a complete stream never counts as a cancel.
 */
export async function writeEventStream(
  res: WireResponse,
  requestId: string,
  answer: EventStreamAnswer,
  plan: StreamPlan,
): Promise<StreamOutcome> {
  const events: EventEmitter = res;
  const body: { write(frame: Uint8Array): boolean } = res;
  const { signal } = plan;

  let chunksSent = 0;
  const send = async (frame: Uint8Array): Promise<void> => {
    signal.throwIfAborted();
    if (!body.write(frame)) await once(events, 'drain', { signal });
  };
  const end = (cancelled: boolean): StreamOutcome => {
    plan.onProgress({ chunksSent, cancelled });
    return { chunksSent, cancelled };
  };

  res.writeHead(200, {
    ...answer.headers,
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': requestId,
  });
  plan.onProgress({ chunksSent });
  try {
    const timing = { firstEventAt: Date.now() };
    for (const event of answer.opening) await send(encodeEvent(event));
    const { failure } = plan;
    for (const [index, delta] of answer.deltas.entries()) {
      if (index > 0 && plan.chunkDelayMs > 0) await sleep(plan.chunkDelayMs, undefined, { signal });
      if (failure && chunksSent >= failure.afterChunks) break;
      await send(encodeEvent(delta));
      chunksSent += 1;
      plan.onProgress({ chunksSent });
    }
    switch (failure?.kind) {
      case undefined:
        for (const event of answer.ending(timing)) await send(encodeEvent(event));
        break;
      case 'exception':
        await send(encodeException(failure.errorType, failure.message));
        break;
      case 'reset':
        await resetResponse(res);
        return end(false);
      case 'truncate': {
        // Half of the frame that would have come next: the decoder sees a message that never completes.
        const next = answer.deltas[chunksSent] ?? answer.ending(timing)[0];
        const frame = encodeEvent(next);
        await send(frame.subarray(0, Math.floor(frame.length / 2)));
        break;
      }
      case 'hang':
        await new Promise((resolve) => {
          if (signal.aborted) resolve(undefined);
          else signal.addEventListener('abort', resolve, { once: true });
        });
        return end(true);
      default: {
        const unreachable: never = failure;
        throw new Error(`Unknown stream failure ${String(unreachable)}`);
      }
    }
    res.end();
    return end(false);
  } catch (error) {
    if (signal.aborted) return end(true);
    // A failure of the emulator itself: the status line is gone, so reset the stream rather than leave it hanging.
    res.destroy();
    throw error;
  }
}
