import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { baseModelId, costUsd, findModel, type VisionModel, type VisionResult } from '../bedrock/index.js';
import { AppError, isAppError } from '../errors.js';
import { intakeImages, type ImageStore, type UrlFetchPolicy } from '../images/index.js';
import { DuplicateClientRequestIdError, type DescriptionRecord, type DescriptionRepository } from '../store/index.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';
import { requestHash } from './requestHash.js';
import { validateDescribeParameters } from './validateDescribeParameters.js';

export interface DescribeImageDeps {
  readonly descriptions: DescriptionRepository;
  readonly model: VisionModel;
  readonly defaultModelId: string;
  readonly logger: Logger;
  readonly urlPolicy: UrlFetchPolicy;
  readonly maxUploadBytes: number;
  /** Keeps image bytes when the operator configured IMAGE_STORE; NO_IMAGE_STORE otherwise. */
  readonly imageStore: ImageStore;
}

export type DescribeImage = (command: DescribeImageCommand, signal?: AbortSignal) => Promise<DescriptionRecord>;

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
 * row, call the model, complete the row. Every accepted request ends as exactly one
 * SUCCEEDED or FAILED row; a refused one leaves nothing and costs nothing.
 */
export function createDescribeImage(deps: DescribeImageDeps): DescribeImage {
  const { descriptions, model, logger } = deps;

  return async function describeImage(command, signal) {
    const parameters = validateDescribeParameters(command, deps.defaultModelId);
    const images = await intakeImages(parameters.sources, {
      mode: parameters.normalize,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      signal,
    });
    const hash = requestHash(parameters, images);

    if (parameters.clientRequestId !== undefined) {
      const existing = await descriptions.findByClientRequestId(parameters.clientRequestId);
      if (existing !== null) return replay(existing, hash);
    }
    let pending: DescriptionRecord;
    try {
      pending = await descriptions.createPending({
        id: randomUUID(),
        modelId: parameters.modelId,
        baseModelId: baseModelId(parameters.modelId),
        api: parameters.api,
        prompt: parameters.prompt,
        system: parameters.system,
        maxTokens: parameters.maxTokens,
        temperature: parameters.temperature,
        topP: parameters.topP,
        clientRequestId: parameters.clientRequestId,
        requestHash: hash,
        images,
      });
    } catch (error) {
      // Two concurrent requests with one key: the loser replays the winner's row.
      if (error instanceof DuplicateClientRequestIdError && parameters.clientRequestId !== undefined) {
        const winner = await descriptions.findByClientRequestId(parameters.clientRequestId);
        if (winner !== null) return replay(winner, hash);
      }
      throw error;
    }

    const started = performance.now();
    let result: VisionResult;
    try {
      // After the row, inside the try: only accepted requests keep bytes, and a failing
      // disk still ends the row FAILED rather than leaving it PENDING.
      for (const image of images) await deps.imageStore.put(image.sha256, image.bytes);
      result = await model.describe({
        modelId: parameters.modelId,
        api: parameters.api,
        images,
        prompt: parameters.prompt,
        system: parameters.system,
        maxTokens: parameters.maxTokens,
        temperature: parameters.temperature,
        topP: parameters.topP,
        signal,
      });
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      const failure = isAppError(error)
        ? error
        : new AppError('INTERNAL_SERVER_ERROR', 'The model call failed unexpectedly', { cause: error });
      await descriptions.fail(pending.id, {
        code: failure.code,
        message: failure.message,
        latencyMs,
        bedrockRequestId: undefined,
      });
      logger.warn(
        { descriptionId: pending.id, modelId: parameters.modelId, code: failure.code, err: error },
        'describeImage failed',
      );
      throw new AppError(failure.code, failure.message, { cause: error, descriptionId: pending.id });
    }

    const latencyMs = Math.round(performance.now() - started);
    const catalogModel = findModel(parameters.modelId);
    const record = await descriptions.succeed(pending.id, {
      text: result.text,
      stopReason: result.stopReason,
      usage: result.usage,
      costUsd: catalogModel === undefined ? null : costUsd(result.usage, catalogModel),
      latencyMs,
      modelLatencyMs: result.modelLatencyMs,
      bedrockRequestId: result.requestId,
    });
    logger.info(
      { descriptionId: record.id, modelId: parameters.modelId, api: parameters.api, usage: result.usage, latencyMs },
      'describeImage succeeded',
    );
    return record;
  };
}
