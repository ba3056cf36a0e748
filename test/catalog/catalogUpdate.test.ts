import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CATALOG, loadModelCatalog } from '../../src/bedrock/index.js';
import { runCatalogUpdate } from '../../src/catalog/runCatalogUpdate.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('npm run catalog:update against the emulator', () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'catalog-update-'));
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const update = (outPath: string) =>
    runCatalogUpdate({
      region: 'us-east-1',
      bedrockEndpoint: emulator.url,
      pricingEndpoint: emulator.url,
      credentials,
      outPath,
      asOf: '2026-11-28',
    });

  it('writes an override file that MODEL_CATALOG_FILE loads, with the new vision model priced from the Price List', async () => {
    const out = join(dir, 'new.json');
    const result = await update(out);
    expect(result.written).toBe(true);
    const catalog = loadModelCatalog(out);
    const nova2Pro = catalog.find('us.amazon.nova-2-pro-v1:0');
    expect(nova2Pro).toMatchObject({
      id: 'amazon.nova-2-pro-v1:0',
      name: 'Nova 2 Pro',
      provider: 'Amazon',
      inputUsdPerMillion: '1.375',
      outputUsdPerMillion: '11',
      lifecycle: 'ACTIVE',
      asOf: '2026-11-28',
    });
    // What no API publishes is Bedrock's general limit, and says so.
    expect(nova2Pro!.uncertain).toEqual(expect.arrayContaining(['maxOutputTokens', 'maxImages', 'sampling']));
    expect(nova2Pro!.source).toMatch(/^catalog:update us-east-1: Bedrock ListFoundationModels/);
    // Text-only and embedding models are not vision models.
    expect(catalog.find('amazon.nova-micro-v1:0')).toBeUndefined();
    expect(catalog.find('amazon.titan-embed-text-v2:0')).toBeUndefined();
  });

  it('writes only what differs from the built-in catalog, and prints a readable diff', async () => {
    const out = join(dir, 'diff.json');
    const { report, update: result } = await update(out);
    const written = JSON.parse(readFileSync(out, 'utf8')).models.map((m: { id: string }) => m.id);
    expect(written).toEqual(result.entries.map((e) => e.id));
    // The emulator's Price List agrees with the built-in prices of Claude Sonnet 4.6 (global 10 % lower).
    expect(written).not.toContain('anthropic.claude-sonnet-4-6');
    expect(report).toContain('Model catalog from Bedrock (us-east-1) as of 2026-11-28, against the built-in catalog:');
    expect(report).toContain('+ Nova 2 Pro (amazon.nova-2-pro-v1:0) ACTIVE, 1.375 in / 11 out per 1M tokens');
    expect(report).toContain('    profiles: us');
    expect(report).toMatch(/\d+ built-in models already END_OF_LIFE are not listed, as expected\./);
    expect(report).toContain(`Wrote ${written.length} entries to ${out}; load them with MODEL_CATALOG_FILE=${out}.`);
    expect(result.unlisted.map((m) => m.id)).toEqual(
      expect.arrayContaining(['anthropic.claude-3-sonnet-20240229-v1:0', 'meta.llama3-2-90b-instruct-v1:0']),
    );
  });

  it('agrees with the built-in catalog on every model the emulator lists, down to the profile prices', async () => {
    const { update: result } = await update(join(dir, 'agree.json'));
    // Anything changed here is a fact the built-in catalog and the emulator's fixtures disagree on.
    expect(result.changed.map((c) => ({ id: c.entry.id, changes: c.changes }))).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(DEFAULT_MODEL_CATALOG.find('global.amazon.nova-2-lite-v1:0')?.inputUsdPerMillion).toBe('0.3');
  });

  it('keeps the other entries of an existing override file', async () => {
    const out = join(dir, 'existing.json');
    const privateModel = {
      id: 'example.private-vision-v1:0',
      name: 'Private',
      provider: 'Amazon',
      inputUsdPerMillion: '1',
      outputUsdPerMillion: '2',
      maxOutputTokens: 5000,
      maxImages: 20,
      maxImageBytes: 3932160,
      maxImageSide: 8000,
      anthropicMessagesBody: false,
      maxStopSequences: 4,
      temperatureMax: 1,
      lifecycle: 'ACTIVE',
    };
    writeFileSync(out, JSON.stringify({ models: [privateModel] }));
    const { report } = await update(out);
    const catalog = loadModelCatalog(out);
    expect(catalog.find('example.private-vision-v1:0')?.inputUsdPerMillion).toBe('1');
    expect(catalog.find('amazon.nova-2-pro-v1:0')).toBeDefined();
    expect(report).toContain(`Kept 1 other entries of ${out}.`);
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });
});
