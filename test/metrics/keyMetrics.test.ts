import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID } from '../../src/config.js';
import { createTestKey, type TestKey } from '../helpers/apiKeys.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { parsePrometheus, sampleValue, type Sample } from './prometheusText.js';
import { startObservedApp, type ObservedApp } from './startObservedApp.js';

/**
 * With keys, tokens and cost are counted per key, named by the key's public prefix: one series per key an operator
 * made, never a secret and never a per-request id.
 */
describe('Metrics: usage per API key', () => {
  let t: ObservedApp;
  let first: TestKey;
  let second: TestKey;
  let admin: TestKey;
  beforeAll(async () => {
    t = await startObservedApp('postgres');
    first = await createTestKey(t.app.store, { name: 'first' });
    second = await createTestKey(t.app.store, { name: 'second' });
    admin = await createTestKey(t.app.store, { name: 'ops', admin: true });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function scrape(): Promise<Sample[]> {
    const res = await fetch(`${t.origin}/metrics`, { headers: admin.auth });
    expect(res.status).toBe(200);
    return parsePrometheus(await res.text());
  }

  it('labels tokens and cost with the prefix of the key that spent them', async () => {
    const image = toBase64(await solidImage(40, 30, 'png'));
    const spend = async (key: TestKey) => {
      const res = await t.post(DESCRIBE, { input: { image: { base64: image } } }, key.auth);
      const body = (await res.json()) as { data: { describeImage: Record<string, any> } };
      return body.data.describeImage;
    };
    const a = await spend(first);
    const b1 = await spend(second);
    const b2 = await spend(second);
    const samples = await scrape();
    const model = DEFAULT_MODEL_ID;

    const input = (key: TestKey) =>
      sampleValue(samples, 'bvg_tokens_total', { model, type: 'input', key: key.record.prefix });
    const cost = (key: TestKey) => sampleValue(samples, 'bvg_cost_usd_total', { model, key: key.record.prefix });
    expect(input(first)).toBe(a.usage.inputTokens);
    expect(input(second)).toBe(b1.usage.inputTokens + b2.usage.inputTokens);
    expect(cost(first)).toBeCloseTo(Number(a.costUsd), 9);
    expect(cost(second)).toBeCloseTo(Number(b1.costUsd) + Number(b2.costUsd), 9);
    // Nothing of a secret reaches a label: only the public prefix.
    const labels = samples.flatMap((s) => Object.values(s.labels)).join('\n');
    for (const key of [first, second, admin]) expect(labels).not.toContain(key.secret);
  });
});
