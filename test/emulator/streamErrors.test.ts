import {
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, Fault, StreamErrorType } from '../../src/emulator/index.js';
import { bedrockClient, eventName, readStream, SONNET_3 } from './helpers.js';

const PROMPT = 'Tell me what you see in this picture, in a few words.';
const ANTHROPIC_BODY = JSON.stringify({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 200,
  messages: [{ role: 'user', content: PROMPT }],
});

describe('Emulator: errors inside a stream', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ streamChunkDelayMs: 0 });
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });
  afterAll(() => emulator.close());

  const client = () => bedrockClient(emulator.url, { maxAttempts: 1 });
  async function converseStream() {
    const res = await client().send(
      new ConverseStreamCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text: PROMPT }] }] }),
    );
    return readStream(res.stream);
  }
  async function invokeStream() {
    const res = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId: SONNET_3, body: ANTHROPIC_BODY }),
    );
    const read = await readStream(res.body);
    const types = read.events.map(
      (event) => (JSON.parse(new TextDecoder().decode(event.chunk?.bytes)) as { type: string }).type,
    );
    return { ...read, types };
  }

  it('ends a ConverseStream with ModelStreamErrorException after two deltas by default', async () => {
    emulator.injectFault({ kind: 'mid-stream-error' });

    const { events, error } = await converseStream();

    expect(events.map(eventName)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta']);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect(error?.name).toBe('ModelStreamErrorException');
    expect(error?.message).toBe('The model stream was interrupted by an error. Try your request again.');
    expect(emulator.calls.at(-1)).toMatchObject({ status: 200, chunksSent: 2, cancelled: false });
  });

  it('ends an InvokeModelWithResponseStream after the deltas asked for, with the message asked for', async () => {
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 1, message: 'The model fell over.' });

    const { types, error } = await invokeStream();

    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect(error?.message).toBe('The model fell over.');
    expect(emulator.calls.at(-1)).toMatchObject({ chunksSent: 1, cancelled: false });
  });

  it('fails before any delta with afterChunks 0, and after the last one when the text is shorter', async () => {
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 0 });
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 1000 });

    const none = await converseStream();
    const all = await converseStream();
    const clean = await converseStream();

    expect(none.events.map(eventName)).toEqual(['messageStart']);
    expect(none.error?.name).toBe('ModelStreamErrorException');
    const deltas = clean.events.filter((event) => event.contentBlockDelta).length;
    expect(all.events.map(eventName)).toEqual(['messageStart', ...Array<string>(deltas).fill('contentBlockDelta')]);
    expect(all.error?.name).toBe('ModelStreamErrorException');
  });

  const sdkExceptions = {
    modelStreamErrorException: ModelStreamErrorException,
    throttlingException: ThrottlingException,
    internalServerException: InternalServerException,
    serviceUnavailableException: ServiceUnavailableException,
    validationException: ValidationException,
    modelTimeoutException: ModelTimeoutException,
  } as const;

  it.each(Object.entries(sdkExceptions))(
    'surfaces a %s event of InvokeModelWithResponseStream as the SDK exception class',
    async (errorType, type) => {
      emulator.injectFault({ kind: 'mid-stream-error', errorType: errorType as StreamErrorType });

      const { types, error } = await invokeStream();

      expect(types.filter((t) => t === 'content_block_delta')).toHaveLength(2);
      expect(error).toBeInstanceOf(type);
      expect(error?.name).toBe(type.name);
    },
  );

  it.each(Object.entries(sdkExceptions).filter(([errorType]) => errorType !== 'modelTimeoutException'))(
    'surfaces a %s event of ConverseStream as the SDK exception class',
    async (errorType, type) => {
      emulator.injectFault({ kind: 'mid-stream-error', errorType: errorType as StreamErrorType });

      const { error } = await converseStream();

      expect(error).toBeInstanceOf(type);
      expect(error?.name).toBe(type.name);
    },
  );

  it("leaves ConverseStream's SDK to report a modelTimeoutException, which its union lacks, as a bare error", async () => {
    emulator.injectFault({ kind: 'mid-stream-error', errorType: 'modelTimeoutException' });

    const { error } = await converseStream();

    expect(error).not.toBeInstanceOf(ModelTimeoutException);
    expect(error?.name).toBe('modelTimeoutException');
    expect(JSON.parse(error?.message ?? '')).toEqual({
      message: 'Model has timed out in processing the request. Try your request again.',
    });
  });

  it('keeps a mid-stream error for the next streaming call, past calls that do not stream', async () => {
    emulator.injectFault({ kind: 'mid-stream-error' });

    const whole = await client().send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text: PROMPT }] }] }),
    );
    const streamed = await converseStream();

    expect(whole.stopReason).toBe('end_turn');
    expect(streamed.error?.name).toBe('ModelStreamErrorException');
  });

  it('refuses stream options on faults that never reach a stream', () => {
    const bad = [
      { kind: 'throttle', afterChunks: 1 },
      { kind: 'slow', errorType: 'throttlingException' },
      { kind: 'server-error', chunkDelayMs: 10 },
      { kind: 'mid-stream-error', afterChunks: -1 },
      { kind: 'mid-stream-error', errorType: 'ThrottlingException' },
    ] as unknown as Fault[];

    for (const fault of bad) expect(() => emulator.injectFault(fault)).toThrow(TypeError);
  });

  it('takes a mid-stream error over the control endpoint', async () => {
    const post = (fault: unknown) =>
      fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(fault) });

    const accepted = await post({ kind: 'mid-stream-error', afterChunks: 1, errorType: 'throttlingException' });
    const refused = await post({ kind: 'throttle', afterChunks: 1 });
    const { error, events } = await converseStream();

    expect(accepted.status).toBe(201);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain('afterChunks');
    expect(events.map(eventName)).toEqual(['messageStart', 'contentBlockDelta']);
    expect(error).toBeInstanceOf(ThrottlingException);
  });
});
