import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import {
  createBedrockVisionModel,
  type BedrockVisionModel,
  type ModelCatalog,
  type VisionRequest,
  type VisionResult,
  type VisionStreamEvent,
} from '../../src/bedrock/index.js';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { solidImage } from '../helpers/images.js';

export const SONNET_3 = 'anthropic.claude-3-sonnet-20240229-v1:0';

/** The tests' settings of the real adapter, less the emulator's address. */
export const MODEL_OPTIONS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  maxAttempts: 1,
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 5000,
  provider: 'EMULATOR',
} as const;

/** The real adapter, real SDK and HTTP/2, against the emulator. */
export function modelFor(emulator: Emulator, catalog?: ModelCatalog): BedrockVisionModel {
  return createBedrockVisionModel({
    ...MODEL_OPTIONS,
    endpoint: emulator.url,
    ...(catalog === undefined ? {} : { catalog }),
  });
}

/** One emulator and one model for the file, with faults and calls reset before each test. */
export function useEmulator(options: EmulatorOptions = {}): { emulator: Emulator; model: BedrockVisionModel } {
  const context = {} as { emulator: Emulator; model: BedrockVisionModel };
  beforeAll(async () => {
    context.emulator = await startEmulator(options);
    context.model = modelFor(context.emulator);
  });
  afterAll(async () => {
    context.model?.destroy();
    await context.emulator?.close();
  });
  beforeEach(() => {
    context.emulator.clearFaults();
    context.emulator.resetCalls();
  });
  return context;
}

/** A 64×48 PNG: small, and its token count follows from its size. */
export async function request(overrides: Partial<VisionRequest> = {}): Promise<VisionRequest> {
  return {
    modelId: SONNET_3,
    api: 'CONVERSE',
    images: [{ format: 'png', bytes: await solidImage(64, 48, 'png') }],
    prompt: 'What is in this image?',
    maxTokens: 1000,
    stopSequences: [],
    ...overrides,
  };
}

/** Reads a whole stream, keeping the deltas and the final result apart. */
export async function collect(stream: AsyncIterable<VisionStreamEvent>): Promise<{
  deltas: string[];
  result: VisionResult;
}> {
  const deltas: string[] = [];
  let result: VisionResult | undefined;
  for await (const event of stream) {
    if (event.type === 'delta') {
      expect(result, 'a delta after done').toBeUndefined();
      deltas.push(event.text);
    } else {
      expect(result, 'a second done').toBeUndefined();
      result = event.result;
    }
  }
  if (result === undefined) throw new Error('the stream ended without a done event');
  return { deltas, result };
}

/** Awaits a promise expected to fail with an AppError of this code and returns the error. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error(`expected ${code}, and the call succeeded`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}
