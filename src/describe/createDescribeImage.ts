import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  baseModelId,
  createAttemptLog,
  isEndOfLife,
  modelUnavailableMessage,
  type AttemptLog,
  type CatalogModel,
  type ModelCatalog,
  type VisionModel,
  type VisionRequest,
  type VisionResult,
} from '../bedrock/index.js';
import { AppError, isAppError } from '../errors.js';
import { intakeImages, type ImageStore, type UrlFetchPolicy } from '../images/index.js';
import {
  DuplicateClientRequestIdError,
  isOvertaken,
  RETRYABLE_FAILURE_CODES,
  type DescriptionRecord,
  type DescriptionRepository,
  type NewDescription,
  type PendingDescription,
} from '../store/index.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';
import { failureAccounting, successOutcome } from './attemptOutcome.js';
import { createInFlight } from './createInFlight.js';
import { findCachedAnswer, type CacheSettings } from './findCachedAnswer.js';
import { UNCALIBRATED, type EstimateFactors } from './estimateCalibration.js';
import { estimateRequest } from './estimateRequest.js';
import { requestHash } from './requestHash.js';
import { validateDescribeParameters } from './validateDescribeParameters.js';
import { waitWhilePending } from './waitWhilePending.js';

export interface DescribeImageDeps {
  readonly descriptions: DescriptionRepository;
  readonly model: VisionModel;
  readonly catalog: ModelCatalog;
  readonly defaultModelId: string;
  /**
   * Refuse models the catalog marks end-of-life before calling Bedrock. Off for the
   * emulator, which still serves the seed's retired Claude 3 Sonnet.
   */
  readonly enforceModelLifecycle: boolean;
  readonly logger: Logger;
  readonly urlPolicy: UrlFetchPolicy;
  readonly maxUploadBytes: number;
  /** Keeps image bytes when the operator configured IMAGE_STORE; NO_IMAGE_STORE otherwise. */
  readonly imageStore: ImageStore;
  /** The exact-request cache (CACHE_DEFAULT, CACHE_TTL); absent: off unless a request asks, with the default TTL. */
  readonly cache?: CacheSettings;
  /** How long a duplicate of a request still running waits for its outcome (IDEMPOTENCY_WAIT_MS); 0 answers at once. */
  readonly idempotencyWaitMs?: number;
  /** Takes in the request's images: `intakeImages`, or the same wrapped for metrics and tracing. */
  readonly intakeImages?: typeof intakeImages;
  /**
   * Aborted when a stopping server stops waiting (SHUTDOWN_GRACE_MS): the calls still running are cancelled and
   * their rows closed INTERRUPTED by this process, before it exits.
   */
  readonly shutdown?: AbortSignal;
  /** True once the server is stopping: a new call is refused (SERVICE_UNAVAILABLE) on every transport. */
  readonly draining?: () => boolean;
  /** The model families' calibration factors, read from memory (absent: the rule as it is). */
  readonly calibration?: EstimateFactors;
}

/** What a streamed description emits: text as it is generated, then the completed record. */
export type DescribeStreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'done'; readonly description: DescriptionRecord };

export interface DescribeImageUseCase {
  describeImage(command: DescribeImageCommand, signal?: AbortSignal): Promise<DescriptionRecord>;
  describeImageStream(command: DescribeImageCommand, signal?: AbortSignal): AsyncGenerator<DescribeStreamEvent>;
}

/** The use case as the server holds it: it also knows when its last call has ended, for a graceful stop. */
export interface DescribeImageService extends DescribeImageUseCase {
  /** Resolves when no call is running, its row closed (at once if none is). */
  idle(): Promise<void>;
}

type Started =
  | { readonly kind: 'replayed'; readonly record: DescriptionRecord }
  | {
      readonly kind: 'started';
      readonly pending: PendingDescription;
      readonly request: VisionRequest;
      /** Where the model call records its attempts, for the row's cost and usage. */
      readonly attempts: AttemptLog;
      /** The catalog's entry, when the model is known: it prices the answer. */
      readonly model: CatalogModel | undefined;
    };

/**
 * A clientRequestId seen before: the same request gets the recorded outcome again (so
 * a retry after a lost response is never billed twice); a different request is refused.
 */
function replay(existing: DescriptionRecord, hash: string): DescriptionRecord {
  if (existing.requestHash !== hash) {
    throw new AppError('BAD_USER_INPUT', 'This clientRequestId was already used for a different request', {
      reason: 'CLIENT_REQUEST_ID_REUSED',
    });
  }
  switch (existing.status) {
    case 'SUCCEEDED':
      return existing;
    case 'PENDING':
      throw new AppError('REQUEST_IN_PROGRESS', 'A request with this clientRequestId is still running', {
        descriptionId: existing.id,
        retryAfterSeconds: 1,
      });
    case 'FAILED':
      throw new AppError(existing.error.code as AppError['code'], existing.error.message, {
        descriptionId: existing.id,
      });
    default: {
      const unreachable: never = existing;
      return unreachable;
    }
  }
}

/**
 * The describeImage use case: check the input, take in the images, write the PENDING
 * row, call the model (whole or streamed), complete the row. Every accepted request
 * ends as exactly one SUCCEEDED or FAILED row; a refused one leaves nothing and costs nothing.
 */
export function createDescribeImage(deps: DescribeImageDeps): DescribeImageService {
  const { descriptions, model, catalog, logger } = deps;
  const intake = deps.intakeImages ?? intakeImages;
  const calibration = deps.calibration ?? UNCALIBRATED;

  async function start(command: DescribeImageCommand, signal: AbortSignal | undefined): Promise<Started> {
    const parameters = validateDescribeParameters(command, deps.defaultModelId, catalog);
    const { settings, model: catalogModel } = parameters;
    if (deps.enforceModelLifecycle && catalogModel !== undefined && isEndOfLife(catalogModel)) {
      throw new AppError('UPSTREAM_MODEL_UNAVAILABLE', modelUnavailableMessage(settings.modelId, catalog));
    }
    const images = await intake(parameters.sources, {
      mode: parameters.normalize,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      signal,
    });
    const hash = requestHash(settings, images);
    // The reservation (estimatedCostUsd) is calibrated; the row keeps the rule's estimatedInputTokens.
    const estimate = estimateRequest(settings, images, catalogModel, calibration.factorFor(settings.modelId));
    const input: NewDescription = {
      ...settings,
      id: randomUUID(),
      provider: model.provider,
      baseModelId: baseModelId(settings.modelId),
      estimatedCostUsd: estimate.estimatedCostUsd,
      unitPrices: estimate.unitPrices,
      estimatedInputTokens: estimate.estimatedInputTokens,
      imagePixels: estimate.imagePixels,
      apiKeyId: command.apiKeyId,
      clientRequestId: parameters.clientRequestId,
      requestHash: hash,
      images,
    };
    // The exact-request cache: an answer this key already had, copied at no cost, without calling the model.
    const cached = await findCachedAnswer(descriptions, input, command.cache, deps.cache);
    if (cached !== null) return { kind: 'replayed', record: cached };
    let pending: PendingDescription;
    try {
      pending = await descriptions.createPending(input);
    } catch (error) {
      // The key was used before (a retry, or a concurrent twin): the same request replays its
      // row; the write-ahead statement wrote nothing, so the common case costs no pre-read.
      if (error instanceof DuplicateClientRequestIdError && parameters.clientRequestId !== undefined) {
        const { clientRequestId } = parameters;
        const read = () => descriptions.findByClientRequestId(command.apiKeyId, clientRequestId);
        const existing = await read();
        if (existing !== null) {
          // The same request still running (a retry that overtook its first attempt): wait for its outcome.
          const settled =
            existing.requestHash === hash
              ? await waitWhilePending(existing, read, deps.idempotencyWaitMs ?? 0, signal)
              : existing;
          // A first attempt that failed for a reason outside the request (throttled, timed out, the
          // database or the server went away) is tried again as a new attempt of the same row.
          const retryable =
            settled.requestHash === hash &&
            settled.status === 'FAILED' &&
            RETRYABLE_FAILURE_CODES.includes(settled.error.code);
          const reopened = retryable ? await descriptions.reopen(settled) : null;
          if (reopened === null) {
            if (!retryable) return { kind: 'replayed', record: replay(settled, hash) };
            // Retryable, yet not reopened: a concurrent retry reopened it first (its run is the answer:
            // wait for it), or a late answer completed it. The row as it is now is what this retry replays.
            const current = (await read()) ?? settled;
            const outcome = await waitWhilePending(current, read, deps.idempotencyWaitMs ?? 0, signal);
            return { kind: 'replayed', record: replay(outcome, hash) };
          }
          pending = reopened;
        } else throw error;
      } else throw error;
    }
    // After the row: only accepted requests keep bytes. A failing disk ends the row FAILED.
    try {
      for (const image of images) await deps.imageStore.put(image.sha256, image.bytes);
    } catch (error) {
      throw await fail(pending, error, 0, undefined);
    }
    const attempts = createAttemptLog();
    const request: VisionRequest = { ...settings, images, signal, attempts };
    return { kind: 'started', pending, request, attempts, model: catalogModel };
  }

  /** Records the failure and returns the error to throw (with the row id, so clients can find it). */
  async function fail(
    pending: PendingDescription,
    error: unknown,
    latencyMs: number,
    partialText: string | undefined,
    attempts?: AttemptLog,
  ): Promise<AppError> {
    // Whatever a call failed with once the server gave up waiting for it, the server's stop is why.
    const failure = deps.shutdown?.aborted
      ? new AppError('INTERRUPTED', 'The server stopped while this request was running', { cause: error })
      : isAppError(error)
        ? error
        : new AppError('INTERNAL_SERVER_ERROR', 'The model call failed unexpectedly', { cause: error });
    await descriptions.fail(pending, {
      code: failure.code,
      message: failure.message,
      latencyMs,
      partialText,
      // A billed answer that broke on the way keeps its usage and cost.
      ...failureAccounting(pending, attempts),
    });
    // The operation's log line carries the code; the cause's detail is for debugging, unless the
    // failure was unexpected.
    logger[isAppError(error) ? 'debug' : 'warn'](
      { descriptionId: pending.id, modelId: pending.modelId, code: failure.code, err: error },
      'describeImage failed',
    );
    return new AppError(failure.code, failure.message, { cause: error, descriptionId: pending.id });
  }

  async function succeed(started: Extract<Started, { kind: 'started' }>, result: VisionResult, latencyMs: number) {
    const { pending } = started;
    // What every attempt cost, at the prices the row was written with, whatever the catalog says by now.
    const record = await descriptions.succeed(pending, successOutcome(pending, result, latencyMs, started.attempts));
    // At debug: the operation's log line already says this (see src/telemetry).
    logger.debug(
      { descriptionId: record.id, modelId: record.modelId, api: record.api, usage: result.usage, latencyMs },
      'describeImage succeeded',
    );
    return record;
  }

  const calls: DescribeImageUseCase = {
    async describeImage(command, signal) {
      const started = await start(command, signal);
      if (started.kind === 'replayed') return started.record;
      const clock = performance.now();
      let result: VisionResult;
      try {
        result = await model.describe(started.request);
      } catch (error) {
        throw await fail(started.pending, error, Math.round(performance.now() - clock), undefined, started.attempts);
      }
      const latencyMs = Math.round(performance.now() - clock);
      try {
        return await succeed(started, result, latencyMs);
      } catch (error) {
        // An AppError has said all there is: overtaken (the row is the retry's), or the database away
        // and the journal failed (nothing can be written). Anything else must not leave the row
        // PENDING under a live owner, which no sweep closes: it ends FAILED, with its billed attempts.
        if (isAppError(error)) throw error;
        throw await fail(started.pending, error, latencyMs, result.text, started.attempts);
      }
    },

    async *describeImageStream(command, signal) {
      const started = await start(command, signal);
      if (started.kind === 'replayed') {
        yield { type: 'done', description: started.record };
        return;
      }
      const clock = performance.now();
      let text = '';
      // Set once an outcome has been written, or its write attempted, so the row is closed once.
      let settled = false;
      try {
        for await (const event of model.describeStream(started.request)) {
          if (event.type === 'delta') {
            text += event.text;
            yield { type: 'delta', text: event.text };
          } else {
            const record = await succeed(started, event.result, Math.round(performance.now() - clock));
            // Only once the row is SUCCEEDED: a failed write still ends it FAILED below.
            settled = true;
            yield { type: 'done', description: record };
          }
        }
      } catch (error) {
        // An overtaken run's attempts are on its row already; the row is the retry's to close.
        if (!settled && !isOvertaken(error)) {
          settled = true;
          throw await fail(started.pending, error, Math.round(performance.now() - clock), text, started.attempts);
        }
        settled = true;
        throw error;
      } finally {
        // The consumer went away (unsubscribed, disconnected) before the end: the model
        // stream was abandoned with it, and the row records what was delivered.
        if (!settled) {
          settled = true;
          await fail(
            started.pending,
            new AppError('CANCELLED', 'The client cancelled the stream before it ended'),
            Math.round(performance.now() - clock),
            text,
            started.attempts,
          );
        }
      }
    },
  };

  const inFlight = createInFlight();
  const { shutdown } = deps;
  const refuseWhileDraining = () => {
    if (deps.draining?.()) {
      throw new AppError('SERVICE_UNAVAILABLE', 'The server is stopping; send the request again', {
        retryAfterSeconds: 1,
      });
    }
  };
  const withShutdown = (signal: AbortSignal | undefined) =>
    shutdown === undefined || signal === undefined ? (signal ?? shutdown) : AbortSignal.any([signal, shutdown]);
  return {
    async describeImage(command, signal) {
      refuseWhileDraining();
      const end = inFlight.begin();
      try {
        return await calls.describeImage(command, withShutdown(signal));
      } finally {
        end();
      }
    },
    async *describeImageStream(command, signal) {
      refuseWhileDraining();
      const end = inFlight.begin();
      try {
        yield* calls.describeImageStream(command, withShutdown(signal));
      } finally {
        end();
      }
    },
    idle: () => inFlight.idle(),
  };
}
