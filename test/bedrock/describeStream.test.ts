import { describe, expect, it, vi } from 'vitest';
import { createBedrockVisionModel, type VisionStreamEvent } from '../../src/bedrock/index.js';
import type { ErrorCode } from '../../src/errors.js';
import type { StreamErrorType } from '../../src/emulator/types.js';
import { SONNET_3, collect, expectAppError, request, useEmulator } from './helpers.js';

const t = useEmulator({ streamChunkDelayMs: 0 });

/** Reads a stream until it throws, keeping the text received before the failure. */
async function failingStream(stream: AsyncIterable<VisionStreamEvent>, code: ErrorCode) {
  const deltas: string[] = [];
  const error = await expectAppError(
    (async () => {
      for await (const event of stream) if (event.type === 'delta') deltas.push(event.text);
    })(),
    code,
  );
  return { deltas, error };
}

/** A stream paced slowly enough to be interrupted: 300 ms between deltas, no delay before the first. */
const slowStream = { kind: 'slow', delayMs: 0, chunkDelayMs: 300 } as const;

describe('Bedrock adapter: describeStream', () => {
  it.each([SONNET_3, 'amazon.nova-lite-v1:0', 'meta.llama3-2-90b-instruct-v1:0', 'mistral.pixtral-large-2502-v1:0'])(
    'streams through ConverseStream what Converse answers for %s',
    async (modelId) => {
      const whole = await t.model.describe(await request({ modelId }));
      const { deltas, result } = await collect(t.model.describeStream(await request({ modelId })));
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(result.text);
      expect(result).toMatchObject({ text: whole.text, stopReason: 'end_turn', usage: whole.usage });
      expect(result.modelLatencyMs).toEqual(expect.any(Number));
      expect(t.emulator.calls[1]).toMatchObject({ operation: 'ConverseStream', modelId, requestId: result.requestId });
    },
  );

  it('streams through InvokeModelWithResponseStream what InvokeModel answers, with the seed’s body', async () => {
    const whole = await t.model.describe(await request({ api: 'INVOKE_MODEL' }));
    const { deltas, result } = await collect(t.model.describeStream(await request({ api: 'INVOKE_MODEL' })));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(result.text);
    // Output tokens come from message_delta's total, not added to message_start's first token.
    expect(result).toMatchObject({ text: whole.text, stopReason: 'end_turn', usage: whole.usage });
    expect(result.modelLatencyMs).toEqual(expect.any(Number));
    const [plain, streamed] = t.emulator.calls;
    expect(streamed).toMatchObject({ operation: 'InvokeModelWithResponseStream', requestId: result.requestId });
    expect(streamed.body).toEqual(plain.body);
  });

  it('sends stop sequences on both streaming APIs', async () => {
    const converse = await collect(t.model.describeStream(await request({ stopSequences: ['single colour'] })));
    const invoke = await collect(
      t.model.describeStream(await request({ api: 'INVOKE_MODEL', stopSequences: ['single colour'] })),
    );
    expect(t.emulator.calls[0].body).toMatchObject({ inferenceConfig: { stopSequences: ['single colour'] } });
    expect(t.emulator.calls[1].body).toMatchObject({ stop_sequences: ['single colour'] });
    for (const { result } of [converse, invoke]) {
      expect(result).toMatchObject({
        stopReason: 'stop_sequence',
        text: 'Image 1 is a 64×48 PNG image filled with the ',
      });
    }
  });

  it.each([
    { fault: 'throttle', code: 'UPSTREAM_THROTTLED' },
    { fault: 'model-timeout', code: 'UPSTREAM_TIMEOUT' },
    { fault: 'server-error', code: 'UPSTREAM_ERROR' },
    { fault: 'end-of-life', code: 'UPSTREAM_MODEL_UNAVAILABLE' },
  ] as const)('fails a stream refused with $fault before it starts with $code', async ({ fault, code }) => {
    t.emulator.injectFault({ kind: fault, times: 2 });
    for (const api of ['CONVERSE', 'INVOKE_MODEL'] as const) {
      const { deltas, error } = await failingStream(t.model.describeStream(await request({ api })), code);
      expect(deltas).toEqual([]);
      if (code === 'UPSTREAM_MODEL_UNAVAILABLE') expect(error.message).toContain('anthropic.claude-sonnet-4-5');
    }
  });

  it.each([
    { errorType: 'modelStreamErrorException', code: 'UPSTREAM_ERROR', apis: ['CONVERSE', 'INVOKE_MODEL'] },
    { errorType: 'throttlingException', code: 'UPSTREAM_THROTTLED', apis: ['CONVERSE', 'INVOKE_MODEL'] },
    { errorType: 'internalServerException', code: 'UPSTREAM_ERROR', apis: ['CONVERSE', 'INVOKE_MODEL'] },
    { errorType: 'modelTimeoutException', code: 'UPSTREAM_TIMEOUT', apis: ['INVOKE_MODEL'] },
  ] as const)('fails with $code on a mid-stream $errorType, after the text sent so far', async (c) => {
    for (const api of c.apis) {
      const errorType: StreamErrorType = c.errorType;
      t.emulator.injectFault({ kind: 'mid-stream-error', errorType, afterChunks: 2 });
      const { deltas, error } = await failingStream(t.model.describeStream(await request({ api })), c.code);
      expect(deltas).toHaveLength(2);
      expect(error.message).toContain(c.errorType.replace(/^./, (first) => first.toUpperCase()));
    }
  });

  it.each(['CONVERSE', 'INVOKE_MODEL'] as const)(
    'stops reading and resets the HTTP/2 stream when the request is aborted (%s)',
    async (api) => {
      t.emulator.injectFault(slowStream);
      const controller = new AbortController();
      const deltas: string[] = [];
      const { error } = await failingStream(
        (async function* () {
          for await (const event of t.model.describeStream(await request({ api, signal: controller.signal }))) {
            if (event.type === 'delta') deltas.push(event.text);
            controller.abort();
            yield event;
          }
        })(),
        'CANCELLED',
      );
      expect(error.message).toBe('The client cancelled the request');
      expect(deltas).toHaveLength(1);
      await vi.waitFor(() => expect(t.emulator.calls[0]?.cancelled).toBe(true));
      expect(t.emulator.calls[0].chunksSent).toBeLessThan(3);
    },
  );

  it('resets the HTTP/2 stream when the consumer stops reading early', async () => {
    t.emulator.injectFault(slowStream);
    for await (const event of t.model.describeStream(await request())) {
      expect(event.type).toBe('delta');
      break;
    }
    await vi.waitFor(() => expect(t.emulator.calls[0]?.cancelled).toBe(true));
  });

  it('makes no call for a request aborted before it starts', async () => {
    const controller = new AbortController();
    controller.abort();
    await failingStream(t.model.describeStream(await request({ signal: controller.signal })), 'CANCELLED');
    expect(t.emulator.calls).toEqual([]);
  });

  it('fails a stream that stalls longer than the request timeout with UPSTREAM_TIMEOUT', async () => {
    const impatient = createBedrockVisionModel({
      region: 'us-east-1',
      endpoint: t.emulator.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 300,
      provider: 'EMULATOR',
    });
    try {
      t.emulator.injectFault({ kind: 'slow', delayMs: 0, chunkDelayMs: 1000 });
      const { deltas, error } = await failingStream(impatient.describeStream(await request()), 'UPSTREAM_TIMEOUT');
      expect(deltas).toHaveLength(1);
      expect(error.message).toContain('sent nothing for 300 ms');
      await vi.waitFor(() => expect(t.emulator.calls[0]?.cancelled).toBe(true));
    } finally {
      impatient.destroy();
    }
  });
});
