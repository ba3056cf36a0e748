import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, ConverseStreamOutput, ResponseStream } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, RecordedCall } from '../../src/emulator/index.js';
import { bedrockClient, eventName, readStream, sdkError, solidImage, SONNET_3 } from './helpers.js';

const PROMPT = 'What is in this image? Answer in one sentence, please.';

/** An Anthropic streaming event as decoded from a `chunk`'s bytes. */
interface AnthropicEvent {
  type: string;
  message?: { usage: { input_tokens: number; output_tokens: number } };
  delta?: { type?: string; text?: string; stop_reason?: string };
  usage?: { output_tokens: number };
  'amazon-bedrock-invocationMetrics'?: Record<string, number>;
}

function anthropicEvents(events: ResponseStream[]): AnthropicEvent[] {
  return events.map((event) => JSON.parse(new TextDecoder().decode(event.chunk?.bytes)) as AnthropicEvent);
}

function deltaTexts(events: ConverseStreamOutput[]): string[] {
  return events.flatMap((event) => (event.contentBlockDelta ? [event.contentBlockDelta.delta?.text ?? ''] : []));
}

describe('Emulator: streaming (ConverseStream, InvokeModelWithResponseStream)', () => {
  let emulator: Emulator;
  let content: ContentBlock[];
  let anthropicBody: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    const png = await solidImage(64, 32, 'png', '#ff0000');
    content = [{ image: { format: 'png', source: { bytes: png } } }, { text: PROMPT }];
    anthropicBody = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') } },
            { type: 'text', text: PROMPT },
          ],
        },
      ],
    });
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });
  afterAll(() => emulator.close());

  const client = (maxAttempts = 1) => bedrockClient(emulator.url, { maxAttempts });
  const converseStream = (abortSignal?: AbortSignal) =>
    client().send(new ConverseStreamCommand({ modelId: SONNET_3, messages: [{ role: 'user', content }] }), {
      abortSignal,
    });
  const invokeStream = () =>
    client().send(new InvokeModelWithResponseStreamCommand({ modelId: SONNET_3, body: anthropicBody }));

  it("streams Converse's answer as messageStart, text deltas, contentBlockStop, messageStop and metadata", async () => {
    const whole = await client().send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content }] }),
    );
    const res = await converseStream();
    const { events, error } = await readStream(res.stream);

    expect(error).toBeUndefined();
    const deltas = deltaTexts(events);
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(events.map(eventName)).toEqual([
      'messageStart',
      ...deltas.map(() => 'contentBlockDelta'),
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(events[0]).toEqual({ messageStart: { role: 'assistant' } });
    expect(deltas.join('')).toBe(whole.output?.message?.content?.[0]?.text);
    expect(events.at(-3)).toEqual({ contentBlockStop: { contentBlockIndex: 0 } });
    expect(events.at(-2)).toEqual({ messageStop: { stopReason: whole.stopReason } });
    expect(events.at(-1)?.metadata?.usage).toEqual(whole.usage);
    expect(events.at(-1)?.metadata?.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(res.$metadata.requestId).toBe(emulator.calls.at(-1)?.requestId);
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'ConverseStream',
      status: 200,
      chunksSent: deltas.length,
      cancelled: false,
    });
  });

  it("streams InvokeModel's answer as chunks of Anthropic events with Bedrock's invocation metrics", async () => {
    const whole = await client().send(new InvokeModelCommand({ modelId: SONNET_3, body: anthropicBody }));
    const expected = JSON.parse(new TextDecoder().decode(whole.body)) as {
      content: { text: string }[];
      usage: { input_tokens: number; output_tokens: number };
      stop_reason: string;
    };
    const res = await invokeStream();
    const { events, error } = await readStream(res.body);

    expect(error).toBeUndefined();
    expect(res.contentType).toBe('application/json');
    expect(events.map(eventName).every((name) => name === 'chunk')).toBe(true);
    const model = anthropicEvents(events);
    const deltas = model.filter((e) => e.type === 'content_block_delta');
    expect(model.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      ...deltas.map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.every((e) => e.delta?.type === 'text_delta')).toBe(true);
    expect(deltas.map((e) => e.delta?.text).join('')).toBe(expected.content[0].text);
    const [start] = model;
    const messageDelta = model.at(-2);
    expect(start.message?.usage.input_tokens).toBe(expected.usage.input_tokens);
    expect(messageDelta?.usage?.output_tokens).toBe(expected.usage.output_tokens);
    expect(messageDelta?.delta?.stop_reason).toBe(expected.stop_reason);
    expect(model.at(-1)?.['amazon-bedrock-invocationMetrics']).toEqual({
      inputTokenCount: expected.usage.input_tokens,
      outputTokenCount: expected.usage.output_tokens,
      invocationLatency: expect.any(Number) as number,
      firstByteLatency: expect.any(Number) as number,
    });
    expect(emulator.calls.at(-1)).toMatchObject({ operation: 'InvokeModelWithResponseStream', cancelled: false });
  });

  it('hands each delta to the client while the rest of the stream is still being written', async () => {
    const paced = await startEmulator({ streamChunkDelayMs: 150 });
    try {
      const res = await bedrockClient(paced.url).send(
        new ConverseStreamCommand({ modelId: SONNET_3, messages: [{ role: 'user', content }] }),
      );
      const arrivals: number[] = [];
      let callWhenFirstDeltaArrived: RecordedCall | undefined;
      for await (const event of res.stream ?? []) {
        if (!event.contentBlockDelta) continue;
        arrivals.push(Date.now());
        callWhenFirstDeltaArrived ??= { ...paced.calls[0] };
      }

      expect(arrivals.length).toBeGreaterThanOrEqual(3);
      // When the first delta was read, the emulator had written only part of the stream and not ended it.
      expect(callWhenFirstDeltaArrived?.chunksSent).toBeLessThan(arrivals.length);
      expect(callWhenFirstDeltaArrived?.cancelled).toBeUndefined();
      expect(paced.calls.at(-1)).toMatchObject({ chunksSent: arrivals.length, cancelled: false });
      // 150 ms between deltas; the margin absorbs timer jitter on a busy machine.
      expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThanOrEqual(100 * (arrivals.length - 1));
    } finally {
      await paced.close();
    }
  });

  it('records a stream the client aborts as cancelled, and keeps serving', async () => {
    emulator.injectFault({ kind: 'slow', delayMs: 0, chunkDelayMs: 200 });
    const abort = new AbortController();
    const res = await converseStream(abort.signal);
    const received: ConverseStreamOutput[] = [];
    for await (const event of res.stream ?? []) {
      received.push(event);
      if (event.contentBlockDelta) abort.abort();
    }

    // Over HTTP/2 the SDK ends the iteration quietly after an abort: no further event, no error.
    expect(received.map(eventName)).toEqual(['messageStart', 'contentBlockDelta']);
    await vi.waitFor(() => expect(emulator.calls.at(-1)?.cancelled).toBe(true));
    const aborted = emulator.calls.at(-1);

    const next = await readStream((await converseStream()).stream);
    const total = deltaTexts(next.events).length;
    expect(next.error).toBeUndefined();
    expect(aborted?.chunksSent).toBe(1);
    expect(aborted?.chunksSent).toBeLessThan(total);
    expect(emulator.calls.map((c) => c.cancelled)).toEqual([true, false]);
  });

  it('records a client that gives up before the first event as a cancelled stream with no chunk sent', async () => {
    emulator.injectFault({ kind: 'slow', delayMs: 300 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);

    const err = await sdkError(converseStream(abort.signal));

    expect(err.name).toBe('AbortError');
    await vi.waitFor(() => expect(emulator.calls.at(-1)).toMatchObject({ chunksSent: 0, cancelled: true }));
  });

  it.each([
    ['ConverseStream', () => converseStream()],
    ['InvokeModelWithResponseStream', () => invokeStream()],
  ] as const)('answers a throttle fault on %s with a 429 before any event', async (operation, call) => {
    emulator.injectFault({ kind: 'throttle' });

    const err = await sdkError(call());

    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect(emulator.calls.at(-1)).toMatchObject({ operation, status: 429 });
    expect(emulator.calls.at(-1)?.chunksSent).toBeUndefined();
  });

  it('waits the delay of a slow fault before the first event', async () => {
    emulator.injectFault({ kind: 'slow', delayMs: 300 });
    const started = Date.now();

    const res = await invokeStream();
    const [first] = (await readStream(res.body)).events;

    expect(first.chunk).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
