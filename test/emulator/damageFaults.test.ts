import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, FaultKind, RecordedCall } from '../../src/emulator/index.js';
import { bedrockClient, eventName, readStream, sdkError, SONNET_3 } from './helpers.js';

const PROMPT = 'Tell me what you see in this picture, in a few words.';
const ANTHROPIC_BODY = JSON.stringify({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 200,
  messages: [{ role: 'user', content: PROMPT }],
});
const MESSAGES = [{ role: 'user' as const, content: [{ text: PROMPT }] }];

type AnthropicEvent = Record<string, any>;

describe('Emulator: answers damaged on the way', () => {
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
  const converse = (abortSignal?: AbortSignal) =>
    client().send(new ConverseCommand({ modelId: SONNET_3, messages: MESSAGES }), { abortSignal });
  const invoke = () => client().send(new InvokeModelCommand({ modelId: SONNET_3, body: ANTHROPIC_BODY }));
  async function converseStream() {
    const res = await client().send(new ConverseStreamCommand({ modelId: SONNET_3, messages: MESSAGES }));
    return readStream(res.stream);
  }
  async function invokeStream() {
    const res = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId: SONNET_3, body: ANTHROPIC_BODY }),
    );
    const read = await readStream(res.body);
    const decoded = read.events.map(
      (event) => JSON.parse(new TextDecoder().decode(event.chunk?.bytes)) as AnthropicEvent,
    );
    return { ...read, decoded };
  }
  /** The emulator's record of the last call once `ready` holds for it, so no test depends on how long a close takes. */
  async function lastCallWhen(ready: (call: RecordedCall) => boolean): Promise<RecordedCall> {
    for (;;) {
      const call = emulator.calls.at(-1);
      if (call !== undefined && ready(call)) return call;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('resets the HTTP/2 stream before any status under reset-before-answer, and records status 0', async () => {
    emulator.injectFault({ kind: 'reset-before-answer', times: 2 });

    const plain = await sdkError(converse());
    const streamed = await sdkError(converseStream());

    for (const error of [plain, streamed]) {
      expect(error.message).toMatch(/NGHTTP2_INTERNAL_ERROR/);
      expect(error.$metadata.httpStatusCode).toBeUndefined();
    }
    expect(emulator.calls.map((c) => c.status)).toEqual([0, 0]);
  });

  it('resets the TCP connection of an HTTP/1.1 client under reset-before-answer', async () => {
    emulator.injectFault({ kind: 'reset-before-answer' });
    const http1 = bedrockClient(emulator.url, { maxAttempts: 1, requestHandler: new NodeHttpHandler() });

    const error = (await sdkError(
      http1.send(new ConverseCommand({ modelId: SONNET_3, messages: MESSAGES })),
    )) as Error & { code?: string };

    expect(error.code).toBe('ECONNRESET');
  });

  it('sends the status, the request id and half the JSON before the reset of reset-mid-body', async () => {
    emulator.injectFault({ kind: 'reset-mid-body' });

    const error = await sdkError(converse());

    expect(error.message).toMatch(/NGHTTP2_INTERNAL_ERROR/);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 200, requestId: emulator.calls[0]?.requestId });
    expect(emulator.calls[0]?.status).toBe(200);
  });

  it('resets a stream after afterChunks deltas under reset-mid-body', async () => {
    emulator.injectFault({ kind: 'reset-mid-body' });
    emulator.injectFault({ kind: 'reset-mid-body', afterChunks: 1 });

    const converseRead = await converseStream();
    const invokeRead = await invokeStream();

    expect(converseRead.events.map(eventName)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta']);
    expect(invokeRead.decoded.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    for (const { error } of [converseRead, invokeRead]) expect(error?.message).toMatch(/NGHTTP2_INTERNAL_ERROR/);
    expect(emulator.calls.map((c) => [c.chunksSent, c.cancelled])).toEqual([
      [2, false],
      [1, false],
    ]);
  });

  it('cuts a JSON answer in half under truncated-body, with a content-length that matches the half', async () => {
    const whole = (await invoke()).body;
    emulator.injectFault({ kind: 'truncated-body', times: 2 });

    const parseError = await sdkError(converse());
    // InvokeModel's body is a blob to the SDK: the cut arrives as a complete response, and only parsing fails.
    const cut = (await invoke()).body;

    expect(parseError.name).toBe('SyntaxError');
    expect(parseError.$metadata.httpStatusCode).toBe(200);
    expect(cut.length).toBe(Math.floor(whole.length / 2));
    expect(() => JSON.parse(new TextDecoder().decode(cut))).toThrow(SyntaxError);
  });

  it('ends a stream in the middle of an event frame under truncated-body', async () => {
    emulator.injectFault({ kind: 'truncated-body', afterChunks: 1 });

    const { events, error } = await converseStream();

    expect(events.map(eventName)).toEqual(['messageStart', 'contentBlockDelta']);
    expect(error?.message).toBe('Truncated event message received.');
    expect(emulator.calls[0]).toMatchObject({ status: 200, chunksSent: 1, cancelled: false });
  });

  it('answers 200 with an HTML page under non-json-body, for every operation', async () => {
    emulator.injectFault({ kind: 'non-json-body', times: 3 });

    const parseError = await sdkError(converse());
    const page = await invoke();
    const streamError = await sdkError(converseStream());

    expect(parseError.name).toBe('SyntaxError');
    expect(parseError.$metadata.httpStatusCode).toBe(200);
    expect(page.contentType).toBe('text/html');
    expect(new TextDecoder().decode(page.body)).toMatch(/^<html>.*502 Bad Gateway/);
    expect(streamError.$metadata.httpStatusCode).toBe(200);
    expect(emulator.calls.map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it('leaves the usage out of plain answers under no-usage, and keeps the text', async () => {
    emulator.injectFault({ kind: 'no-usage', times: 2 });

    const plain = await converse();
    const anthropic = JSON.parse(new TextDecoder().decode((await invoke()).body)) as AnthropicEvent;

    expect(plain.output?.message?.content?.[0]?.text).toContain(PROMPT);
    expect(plain.usage).toBeUndefined();
    expect(plain.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(anthropic.content[0].text).toContain(PROMPT);
    expect(anthropic).not.toHaveProperty('usage');
  });

  it('leaves the usage out of every stream event under no-usage', async () => {
    emulator.injectFault({ kind: 'no-usage', times: 2 });

    const converseRead = await converseStream();
    const invokeRead = await invokeStream();

    const metadata = converseRead.events.find((e) => eventName(e) === 'metadata')?.metadata;
    expect(metadata).toBeDefined();
    expect(metadata?.usage).toBeUndefined();
    expect(metadata?.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    const byType = (type: string) => invokeRead.decoded.find((e) => e.type === type)!;
    expect(byType('message_start').message).not.toHaveProperty('usage');
    expect(byType('message_delta')).not.toHaveProperty('usage');
    const metrics = byType('message_stop')['amazon-bedrock-invocationMetrics'];
    expect(Object.keys(metrics).sort()).toEqual(['firstByteLatency', 'invocationLatency']);
    for (const { error } of [converseRead, invokeRead]) expect(error).toBeUndefined();
  });

  it('never answers under hang, and records that the client left', async () => {
    emulator.injectFault({ kind: 'hang' });
    const abort = new AbortController();

    const pending = sdkError(converse(abort.signal));
    const waiting = await lastCallWhen(() => true);
    expect(waiting).toMatchObject({ status: 0 });
    expect(waiting.cancelled).toBeUndefined();
    abort.abort();

    expect((await pending).name).toBe('AbortError');
    expect((await lastCallWhen((c) => c.cancelled !== undefined)).cancelled).toBe(true);
  });

  it('falls silent after afterChunks deltas under hang, until the client leaves', async () => {
    emulator.injectFault({ kind: 'hang', afterChunks: 1 });
    const abort = new AbortController();
    const res = await client().send(new ConverseStreamCommand({ modelId: SONNET_3, messages: MESSAGES }), {
      abortSignal: abort.signal,
    });
    const names: string[] = [];

    for await (const event of res.stream ?? []) {
      names.push(eventName(event));
      if (names.length === 2) abort.abort();
    }

    expect(names).toEqual(['messageStart', 'contentBlockDelta']);
    expect(await lastCallWhen((c) => c.cancelled !== undefined)).toMatchObject({ chunksSent: 1, cancelled: true });
  });

  it('puts control characters in the text under control-characters, and counts them as output', async () => {
    emulator.injectFault({ kind: 'control-characters', times: 2 });

    const plain = await converse();
    const streamed = await converseStream();

    const text = plain.output?.message?.content?.[0]?.text ?? '';
    for (const character of ['\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\r']) {
      expect(text).toContain(character);
    }
    expect(plain.usage?.outputTokens).toBe(Math.ceil(text.length / 4));
    const deltas = streamed.events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
    expect(deltas).toBe(text);
  });

  it('takes the new kinds over HTTP, and refuses options that do not apply to them', async () => {
    const post = (fault: unknown) =>
      fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(fault) });

    const accepted = await post({ kind: 'hang', afterChunks: 1, chunkDelayMs: 5 });
    const refused = await post({ kind: 'no-usage', afterChunks: 1 });

    expect(accepted.status).toBe(201);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/afterChunks applies only to/);
    expect(() => emulator.injectFault({ kind: 'non-json-body', errorType: 'throttlingException' } as never)).toThrow(
      TypeError,
    );
    expect(() => emulator.injectFault({ kind: 'hang' as FaultKind, afterChunks: -1 })).toThrow(TypeError);
  });
});
