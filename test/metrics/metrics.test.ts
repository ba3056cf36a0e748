import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID } from '../../src/config.js';
import { DATABASES } from '../helpers/databases.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { parsePrometheus, sampleValue, type Sample } from './prometheusText.js';
import { startObservedApp, type ObservedApp } from './startObservedApp.js';

const MAX_BUFFERED_BYTES = 200_000;

describe.each(DATABASES)('Metrics: /metrics on %s', (kind) => {
  let t: ObservedApp;
  let image: Buffer;
  beforeAll(async () => {
    t = await startObservedApp(kind, {
      admission: {
        maxInFlight: 256,
        maxBufferedBytes: MAX_BUFFERED_BYTES,
        maxEventLoopDelayMs: 60_000,
        maxDatabaseWaitMs: 0,
      },
    });
    image = await solidImage(40, 30, 'png');
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => t.emulator.clearFaults());

  async function scrape(): Promise<Sample[]> {
    const res = await fetch(`${t.origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    return parsePrometheus(await res.text());
  }

  const describeOnce = async (input: Record<string, unknown> = {}) => {
    const res = await t.post(DESCRIBE, { input: { image: { base64: toBase64(image) }, ...input } });
    return (await res.json()) as { data?: { describeImage: Record<string, any> }; errors?: unknown[] };
  };

  it('shows a describe: the operation, the Bedrock call, tokens, cost, the image and the ledger writes', async () => {
    const before = await scrape();
    const body = await describeOnce();
    const described = body.data!.describeImage;
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

    const model = DEFAULT_MODEL_ID;
    expect(delta('bvg_graphql_operations_total', { operation: 'describeImage', status: '200', code: '' })).toBe(1);
    expect(delta('bvg_graphql_operation_duration_seconds_count', { operation: 'describeImage' })).toBe(1);
    expect(delta('bvg_bedrock_call_duration_seconds_count', { model, api: 'CONVERSE', outcome: 'ok' })).toBe(1);
    expect(delta('bvg_tokens_total', { model, type: 'input' })).toBe(described.usage.inputTokens);
    expect(delta('bvg_tokens_total', { model, type: 'output' })).toBe(described.usage.outputTokens);
    expect(delta('bvg_cost_usd_total', { model })).toBeCloseTo(Number(described.costUsd), 9);
    expect(delta('bvg_images_total', { source: 'BASE64' })).toBe(1);
    expect(delta('bvg_image_bytes_total', { source: 'BASE64' })).toBe(image.length);
    expect(delta('bvg_image_pixels_total', { source: 'BASE64' })).toBe(40 * 30);
    expect(delta('bvg_image_sent_bytes_total', { source: 'BASE64' })).toBe(described.images[0].byteSize);
    expect(delta('bvg_db_operation_duration_seconds_count', { operation: 'createPending', outcome: 'ok' })).toBe(1);
    expect(delta('bvg_db_operation_duration_seconds_count', { operation: 'succeed', outcome: 'ok' })).toBe(1);
    // No API keys yet: the usage series carry no key label at all.
    expect(after.filter((s) => s.name === 'bvg_tokens_total').every((s) => !('key' in s.labels))).toBe(true);
  });

  it('shows a failed Bedrock call by its code, and a refused request by its reason', async () => {
    const before = await scrape();
    t.emulator.injectFault({ kind: 'throttle', times: 1 });
    expect((await describeOnce()).errors).toHaveLength(1);
    expect((await describeOnce({ maxTokens: 0 })).errors).toHaveLength(1);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

    const failed = { operation: 'describeImage', status: '200', code: 'UPSTREAM_THROTTLED' };
    expect(delta('bvg_graphql_operations_total', failed)).toBe(1);
    const outcome = { model: DEFAULT_MODEL_ID, api: 'CONVERSE', outcome: 'UPSTREAM_THROTTLED' };
    expect(delta('bvg_bedrock_call_duration_seconds_count', outcome)).toBe(1);
    const refused = { operation: 'describeImage', status: '200', code: 'BAD_USER_INPUT' };
    expect(delta('bvg_graphql_operations_total', refused)).toBe(1);
    // The failure is a FAILED row: the completion write is counted, no usage is.
    expect(delta('bvg_db_operation_duration_seconds_count', { operation: 'fail', outcome: 'ok' })).toBe(1);
    expect(delta('bvg_tokens_total', { model: DEFAULT_MODEL_ID, type: 'input' })).toBe(0);
  });

  it('counts admission refusals by the bound that was reached, and shows requests in flight', async () => {
    const before = await scrape();
    const oversized = await fetch(`${t.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(MAX_BUFFERED_BYTES) }),
    });
    expect(oversized.status).toBe(503);
    const after = await scrape();
    const refusals = (samples: Sample[]) =>
      sampleValue(samples, 'bvg_admission_refusals_total', { reason: 'buffered_bytes' }) ?? 0;
    expect(refusals(after) - refusals(before)).toBe(1);
    expect(sampleValue(after, 'bvg_requests_in_flight')).toBe(0);
    expect(sampleValue(after, 'bvg_request_buffered_bytes')).toBe(0);
  });

  it('labels only bounded values: an unknown model and a client-chosen operation name add no series of their own', async () => {
    await describeOnce({ modelId: 'acme.unheard-of-model-v9:0' });
    const named = await t.post('query ClientChosenName1234 { models { id } }');
    expect(named.status).toBe(200);
    const text = await (await fetch(`${t.origin}/metrics`)).text();
    expect(text).not.toContain('unheard-of');
    expect(text).not.toContain('ClientChosenName1234');
    const samples = parsePrometheus(text);
    expect(
      sampleValue(samples, 'bvg_graphql_operations_total', { operation: 'models', status: '200', code: '' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      samples.some((s) => s.name === 'bvg_bedrock_call_duration_seconds_count' && s.labels.model === 'other'),
    ).toBe(true);
  });

  it('shows the database pool (PostgreSQL only) and the process metrics', async () => {
    const samples = await scrape();
    if (kind === 'postgres') {
      expect(sampleValue(samples, 'bvg_db_pool_connections', { state: 'max' })).toBe(10);
      expect(sampleValue(samples, 'bvg_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'bvg_db_pool_waiting')).toBe(0);
    } else {
      expect(samples.some((s) => s.name.startsWith('bvg_db_pool_'))).toBe(false);
    }
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });
});

describe('Metrics: who may read /metrics', () => {
  let t: ObservedApp;
  beforeAll(async () => {
    t = await startObservedApp('pglite', { metrics: { allow: ['10.0.0.0/8'] } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 404 to an address outside METRICS_ALLOW, and keeps serving GraphQL to it', async () => {
    const res = await fetch(`${t.origin}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3' } });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('bvg_');
    expect((await t.post('{ __typename }')).status).toBe(200);
  });
});
