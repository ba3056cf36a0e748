import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TracingConfig } from '../../src/config.js';
import { DEFAULT_MODEL_ID } from '../../src/config.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { subscribe, wsClient } from '../helpers/subscribe.js';
import { startObservedApp, type ObservedApp } from '../metrics/startObservedApp.js';
import { startOtlpReceiver, type ReceivedSpan } from './otlpReceiver.js';

const PROMPT = 'Describe the parrot on the fence, please';
const SYSTEM = 'Answer like a museum label';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const STREAM = /* GraphQL */ `
  subscription Stream($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
    }
  }
`;

type Receiver = Awaited<ReturnType<typeof startOtlpReceiver>>;

function otlp(receiver: Receiver, captureMessageContent: boolean): TracingConfig {
  return {
    kind: 'otlp',
    url: receiver.url,
    headers: { 'x-collector-key': 'k-123' },
    serviceName: 'bvg-under-test',
    captureMessageContent,
  };
}

const byName = (spans: readonly ReceivedSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(
    found.map((s) => s.name),
    `spans named ${name} in ${spans.map((s) => s.name).join(', ')}`,
  ).toHaveLength(1);
  return found[0]!;
};

describe('Tracing: OTLP export of a describe, a failure and a refusal', () => {
  let receiver: Receiver;
  let image: string;
  let described: Record<string, any>;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    image = toBase64(await solidImage(64, 48, 'png'));
    const t: ObservedApp = await startObservedApp('pglite', { tracing: otlp(receiver, false) });
    try {
      const ok = await t.post(
        DESCRIBE,
        { input: { image: { base64: image }, prompt: PROMPT, system: SYSTEM } },
        { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
      );
      described = ((await ok.json()) as any).data.describeImage;
      t.emulator.injectFault({ kind: 'throttle', times: 1 });
      await t.post(
        DESCRIBE,
        { input: { image: { base64: image } } },
        { traceparent: `00-${'a'.repeat(32)}-${CALLER_SPAN}-01` },
      );
      await t.post(
        DESCRIBE,
        { input: { image: { base64: image }, maxTokens: 0 } },
        { traceparent: `00-${'b'.repeat(32)}-${CALLER_SPAN}-01` },
      );
      const client = wsClient(`${t.origin}/graphql`);
      try {
        await subscribe(client, STREAM, { input: { image: { base64: image } } }).done;
      } finally {
        await client.dispose();
      }
    } finally {
      // Stopping flushes the batch of spans to the receiver.
      await t.stop();
    }
    spans = receiver.spans();
    // An app start, four operations and a flush: more than one hook's default on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await receiver?.close();
  });

  it('exports the request span and, under it, intake, the write-ahead, the Bedrock call and the completion', () => {
    const traced = spans.filter((s) => s.traceId === TRACE_ID);
    const request = byName(traced, 'mutation describeImage');
    expect(request.kind).toBe(2);
    expect(request.parentSpanId).toBe(CALLER_SPAN);
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/graphql',
      'http.response.status_code': 200,
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'Describe',
    });
    for (const name of ['image intake', 'ledger write-ahead', `chat ${DEFAULT_MODEL_ID}`, 'ledger completion']) {
      expect(byName(traced, name).parentSpanId, name).toBe(request.spanId);
    }
    expect(request.resource).toMatchObject({ 'service.name': 'bvg-under-test' });
    expect(receiver.headers[0]).toMatchObject({ 'x-collector-key': 'k-123' });
  });

  it('describes the Bedrock call with the GenAI semantic conventions', () => {
    const call = byName(
      spans.filter((s) => s.traceId === TRACE_ID),
      `chat ${DEFAULT_MODEL_ID}`,
    );
    expect(call.kind).toBe(3);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': DEFAULT_MODEL_ID,
      'gen_ai.request.max_tokens': 1000,
      'gen_ai.usage.input_tokens': described.usage.inputTokens,
      'gen_ai.usage.output_tokens': described.usage.outputTokens,
      'gen_ai.response.finish_reasons': [described.stopReason],
      'aws.request_id': described.bedrockRequestId,
    });
  });

  it('puts no prompt, system text, answer or image content in any span by default', () => {
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain(PROMPT);
    expect(exported).not.toContain(SYSTEM);
    expect(exported).not.toContain(described.text);
    expect(exported).not.toContain(image.slice(0, 40));
    expect(exported).not.toContain('gen_ai.input.messages');
  });

  it('marks the failed Bedrock call and its request with the error code', () => {
    const failed = spans.filter((s) => s.traceId === 'a'.repeat(32));
    const call = byName(failed, `chat ${DEFAULT_MODEL_ID}`);
    expect(call.status).toBe(2);
    expect(call.attributes['error.type']).toBe('UPSTREAM_THROTTLED');
    expect(byName(failed, 'ledger completion').parentSpanId).toBe(byName(failed, 'mutation describeImage').spanId);
  });

  it('traces a refused request without any model call or ledger write', () => {
    const refused = spans.filter((s) => s.traceId === 'b'.repeat(32));
    expect(refused.map((s) => s.name)).toEqual(['mutation describeImage']);
  });

  it('traces a subscription over WebSocket as one trace, its stream read under its span', () => {
    const operation = byName(spans, 'subscription describeImageStream');
    expect(operation.kind).toBe(2);
    expect(operation.attributes).toMatchObject({ 'network.protocol.name': 'websocket' });
    const trace = spans.filter((s) => s.traceId === operation.traceId);
    for (const name of ['image intake', 'ledger write-ahead', `chat ${DEFAULT_MODEL_ID}`, 'ledger completion']) {
      expect(byName(trace, name).parentSpanId, name).toBe(operation.spanId);
    }
    expect(byName(trace, `chat ${DEFAULT_MODEL_ID}`).attributes['gen_ai.request.stream']).toBe(true);
  });
});

describe('Tracing: message content, when the operator opts in', () => {
  it('adds prompt, system and answer text to the Bedrock span, and never image bytes', async () => {
    const receiver = await startOtlpReceiver();
    const image = toBase64(await solidImage(64, 48, 'png'));
    const t = await startObservedApp('pglite', { tracing: otlp(receiver, true) });
    let text: string;
    try {
      const res = await t.post(DESCRIBE, { input: { image: { base64: image }, prompt: PROMPT, system: SYSTEM } });
      text = ((await res.json()) as any).data.describeImage.text;
    } finally {
      await t.stop();
      await receiver.close();
    }
    const call = byName(receiver.spans(), `chat ${DEFAULT_MODEL_ID}`);
    expect(JSON.parse(call.attributes['gen_ai.input.messages'] as string)).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'image', format: 'png' },
          { type: 'text', content: PROMPT },
        ],
      },
    ]);
    expect(call.attributes['gen_ai.system_instructions']).toContain(SYSTEM);
    expect(call.attributes['gen_ai.output.messages']).toContain(JSON.stringify(text).slice(1, -1));
    expect(receiver.bodies.join('\n')).not.toContain(image.slice(0, 40));
  });
});

describe('Tracing: off', () => {
  it('registers no tracer provider, so the OpenTelemetry API stays a no-op while requests run', async () => {
    const t = await startObservedApp('pglite');
    try {
      const image = toBase64(await solidImage(8, 8, 'png'));
      const res = await t.post(DESCRIBE, { input: { image: { base64: image } } });
      expect(res.status).toBe(200);
      const span = trace.getTracer('probe').startSpan('probe');
      expect(span.isRecording()).toBe(false);
      span.end();
    } finally {
      await t.stop();
    }
  });
});
