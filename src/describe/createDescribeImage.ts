import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  baseModelId,
  costUsd,
  estimatedCostUsd,
  isEndOfLife,
  modelUnavailableMessage,
  type CatalogModel,
  type ModelCatalog,
  type VisionModel,
  type VisionRequest,
  type VisionResult,
} from '../bedrock/index.js';
import { AppError, isAppError } from '../errors.js';
import { estimateImageTokens, intakeImages, type ImageStore, type UrlFetchPolicy } from '../images/index.js';
import {
  DuplicateClientRequestIdError,
  type DescriptionRecord,
  type DescriptionRepository,
  type PendingDescription,
} from '../store/index.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';
import { requestHash } from './requestHash.js';
import { validateDescribeParameters } from './validateDescribeParameters.js';

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
}

/** What a streamed description emits: text as it is generated, then the completed record. */
export type DescribeStreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'done'; readonly description: DescriptionRecord };

export interface DescribeImageUseCase {
  describeImage(command: DescribeImageCommand, signal?: AbortSignal): Promise<DescriptionRecord>;
  describeImageStream(command: DescribeImageCommand, signal?: AbortSignal): AsyncGenerator<DescribeStreamEvent>;
}

type Started =
  | { readonly kind: 'replayed'; readonly record: DescriptionRecord }
  | {
      readonly kind: 'started';
      readonly pending: PendingDescription;
      readonly request: VisionRequest;
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
export function createDescribeImage(deps: DescribeImageDeps): DescribeImageUseCase {
  const { descriptions, model, catalog, logger } = deps;

  async function start(command: DescribeImageCommand, signal: AbortSignal | undefined): Promise<Started> {
    const parameters = validateDescribeParameters(command, deps.defaultModelId, catalog);
    const { settings, model: catalogModel } = parameters;
    if (deps.enforceModelLifecycle && catalogModel !== undefined && isEndOfLife(catalogModel)) {
      throw new AppError('UPSTREAM_MODEL_UNAVAILABLE', modelUnavailableMessage(settings.modelId, catalog));
    }
    const images = await intakeImages(parameters.sources, {
      mode: parameters.normalize,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      signal,
    });
    const hash = requestHash(settings, images);
    const textTokens = Math.ceil((settings.prompt.length + (settings.system?.length ?? 0)) / 4);
    const estimatedInput = images.reduce((sum, i) => sum + estimateImageTokens(i.width, i.height), textTokens);
    let pending: PendingDescription;
    try {
      pending = await descriptions.createPending({
        ...settings,
        id: randomUUID(),
        baseModelId: baseModelId(settings.modelId),
        estimatedCostUsd:
          catalogModel === undefined ? null : estimatedCostUsd(estimatedInput, settings.maxTokens, catalogModel),
        clientRequestId: parameters.clientRequestId,
        requestHash: hash,
        images,
      });
    } catch (error) {
      // The key was used before (a retry, or a concurrent twin): the same request replays its
      // row; the write-ahead statement wrote nothing, so the common case costs no pre-read.
      if (error instanceof DuplicateClientRequestIdError && parameters.clientRequestId !== undefined) {
        const existing = await descriptions.findByClientRequestId(parameters.clientRequestId);
        if (existing !== null) return { kind: 'replayed', record: replay(existing, hash) };
      }
      throw error;
    }
    // After the row: only accepted requests keep bytes. A failing disk ends the row FAILED.
    try {
      for (const image of images) await deps.imageStore.put(image.sha256, image.bytes);
    } catch (error) {
      throw await fail(pending, error, 0, undefined);
    }
    const request: VisionRequest = { ...settings, images, signal };
    return { kind: 'started', pending, request, model: catalogModel };
  }

  /** Records the failure and returns the error to throw (with the row id, so clients can find it). */
  async function fail(
    pending: PendingDescription,
    error: unknown,
    latencyMs: number,
    partialText: string | undefined,
  ): Promise<AppError> {
    const failure = isAppError(error)
      ? error
      : new AppError('INTERNAL_SERVER_ERROR', 'The model call failed unexpectedly', { cause: error });
    await descriptions.fail(pending, {
      code: failure.code,
      message: failure.message,
      latencyMs,
      bedrockRequestId: undefined,
      partialText,
    });
    logger.warn(
      { descriptionId: pending.id, modelId: pending.modelId, code: failure.code, err: error },
      'describeImage failed',
    );
    return new AppError(failure.code, failure.message, { cause: error, descriptionId: pending.id });
  }

  async function succeed(started: Extract<Started, { kind: 'started' }>, result: VisionResult, latencyMs: number) {
    const { model: catalogModel, pending } = started;
    const record = await descriptions.succeed(pending, {
      text: result.text,
      stopReason: result.stopReason,
      usage: result.usage,
      costUsd: catalogModel === undefined ? null : costUsd(result.usage, catalogModel),
      latencyMs,
      modelLatencyMs: result.modelLatencyMs,
      bedrockRequestId: result.requestId,
    });
    logger.info(
      { descriptionId: record.id, modelId: record.modelId, api: record.api, usage: result.usage, latencyMs },
      'describeImage succeeded',
    );
    return record;
  }

  return {
    async describeImage(command, signal) {
      const started = await start(command, signal);
      if (started.kind === 'replayed') return started.record;
      const clock = performance.now();
      let result: VisionResult;
      try {
        result = await model.describe(started.request);
      } catch (error) {
        throw await fail(started.pending, error, Math.round(performance.now() - clock), undefined);
      }
      return succeed(started, result, Math.round(performance.now() - clock));
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
        if (!settled) {
          settled = true;
          throw await fail(started.pending, error, Math.round(performance.now() - clock), text);
        }
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
          );
        }
      }
    },
  };
}
