import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { bedrockClient, sdkError, SONNET_3 } from './helpers.js';

const ENCODED_SONNET_3 = encodeURIComponent(SONNET_3);
const HELLO = {
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 50,
  messages: [{ role: 'user', content: 'Hello' }],
};

describe('Emulator: wire protocol', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
  });
  afterAll(() => emulator.close());

  it("sends Bedrock's token and latency headers to the SDK over HTTP/2", async () => {
    const client = bedrockClient(emulator.url);
    let headers: Record<string, string> = {};
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        headers = (out.response as { headers: Record<string, string> }).headers;
        return out;
      },
      { step: 'deserialize' },
    );

    const res = await client.send(new InvokeModelCommand({ modelId: SONNET_3, body: JSON.stringify(HELLO) }));
    const body = JSON.parse(new TextDecoder().decode(res.body)) as {
      usage: { input_tokens: number; output_tokens: number };
    };

    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-amzn-requestid']).toBe(res.$metadata.requestId);
    expect(headers['x-amzn-bedrock-input-token-count']).toBe(String(body.usage.input_tokens));
    expect(headers['x-amzn-bedrock-output-token-count']).toBe(String(body.usage.output_tokens));
    expect(Number(headers['x-amzn-bedrock-invocation-latency'])).toBeGreaterThanOrEqual(0);
  });

  it("serves the SDK's HTTP/1.1 handler on the same port", async () => {
    const client = bedrockClient(emulator.url, { requestHandler: new NodeHttpHandler() });

    const res = await client.send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
    );

    expect(res.stopReason).toBe('end_turn');
  });

  it('is found by the SDK through AWS_ENDPOINT_URL_BEDROCK_RUNTIME', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = emulator.url;
    try {
      const client = new BedrockRuntimeClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      const res = await client.send(new InvokeModelCommand({ modelId: SONNET_3, body: JSON.stringify(HELLO) }));
      expect(res.$metadata.httpStatusCode).toBe(200);
      expect(emulator.calls).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
      else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = saved;
    }
  });

  it('writes errors as status, x-amzn-errortype and a message-only body', async () => {
    emulator.injectFault({ kind: 'throttle' });

    const res = await fetch(`${emulator.url}/model/${ENCODED_SONNET_3}/invoke`, {
      method: 'POST',
      body: JSON.stringify(HELLO),
    });

    expect(res.status).toBe(429);
    expect(res.headers.get('x-amzn-errortype')).toBe(
      'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    );
    expect(res.headers.get('x-amzn-requestid')).toBe(emulator.calls.at(-1)?.requestId);
    expect(await res.json()).toEqual({ message: 'Too many requests, please wait before trying again.' });
  });

  it('answers malformed JSON with a ValidationException and still records the call', async () => {
    const res = await fetch(`${emulator.url}/model/${ENCODED_SONNET_3}/converse`, {
      method: 'POST',
      body: '{"messages": [',
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
    expect(emulator.calls).toEqual([
      expect.objectContaining({ operation: 'Converse', body: undefined, rawBody: '{"messages": [', status: 400 }),
    ]);
  });

  it('answers an unknown path with a 404 UnknownOperationException', async () => {
    const res = await fetch(`${emulator.url}/model/${ENCODED_SONNET_3}/summon`, { method: 'POST', body: '{}' });
    const get = await fetch(`${emulator.url}/model/${ENCODED_SONNET_3}/converse`);

    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException:/);
    expect(get.status).toBe(404);
    expect(emulator.calls).toHaveLength(0);
  });

  it('is driven through its HTTP control endpoints', async () => {
    const added = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'unavailable', times: 'Infinity', modelId: SONNET_3 }),
    });
    expect(added.status).toBe(201);
    expect(await (await fetch(`${emulator.url}/_emulator/faults`)).json()).toEqual([
      { kind: 'unavailable', times: 'Infinity', modelId: SONNET_3 },
    ]);
    const client = bedrockClient(emulator.url, { maxAttempts: 1 });
    const send = () => client.send(new InvokeModelCommand({ modelId: SONNET_3, body: JSON.stringify(HELLO) }));

    expect((await sdkError(send())).name).toBe('ServiceUnavailableException');
    expect((await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' })).status).toBe(200);
    await send();

    const calls = (await (await fetch(`${emulator.url}/_emulator/calls`)).json()) as { status: number }[];
    expect(calls.map((c) => c.status)).toEqual([503, 200]);
    await fetch(`${emulator.url}/_emulator/calls`, { method: 'DELETE' });
    expect(emulator.calls).toHaveLength(0);
  });

  it('refuses a malformed fault on the control endpoint', async () => {
    const res = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'explode' }),
    });

    expect(res.status).toBe(400);
    expect(await (await fetch(`${emulator.url}/_emulator/faults`)).json()).toEqual([]);
  });

  it('keeps serving after a client gives up before its answer', async () => {
    emulator.injectFault({ kind: 'slow', delayMs: 300 });
    const impatient = bedrockClient(emulator.url, {
      maxAttempts: 1,
      requestHandler: new NodeHttp2Handler({ requestTimeout: 50, disableConcurrentStreams: true }),
    });
    const converse = new ConverseCommand({
      modelId: SONNET_3,
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });

    await expect(impatient.send(converse)).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const res = await bedrockClient(emulator.url).send(converse);

    expect(res.stopReason).toBe('end_turn');
    expect(emulator.calls.map((c) => c.status)).toEqual([200, 200]);
  });

  it('closes while an answer is still waiting on its delay', async () => {
    const doomed = await startEmulator();
    doomed.injectFault({ kind: 'slow', delayMs: 60_000 });
    const pending = bedrockClient(doomed.url, { maxAttempts: 1 }).send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    await doomed.close();

    await expect(pending).rejects.toThrow();
  });
});
