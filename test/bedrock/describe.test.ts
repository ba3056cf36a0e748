import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelCatalog } from '../../src/bedrock/index.js';
import { SONNET_3, expectAppError, modelFor, request, useEmulator } from './helpers.js';

const t = useEmulator();

describe('Bedrock adapter: describe', () => {
  it.each(['amazon.nova-pro-v1:0', 'us.meta.llama3-2-11b-instruct-v1:0', 'mistral.pixtral-large-2502-v1:0'])(
    'describes an image with %s through Converse',
    async (modelId) => {
      const result = await t.model.describe(await request({ modelId }));
      expect(result.text).toContain('64×48 PNG');
      expect(result.stopReason).toBe('end_turn');
      expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
      expect(result.requestId).toBe(t.emulator.calls[0].requestId);
      expect(t.emulator.calls).toMatchObject([{ operation: 'Converse', modelId }]);
    },
  );

  it('sends stop sequences to Converse as inferenceConfig.stopSequences', async () => {
    const result = await t.model.describe(await request({ stopSequences: ['single colour', 'END'] }));
    expect(t.emulator.calls[0].body).toMatchObject({
      inferenceConfig: { maxTokens: 1000, stopSequences: ['single colour', 'END'] },
    });
    expect(result.stopReason).toBe('stop_sequence');
    expect(result.text).toBe('Image 1 is a 64×48 PNG image filled with the ');
  });

  it('sends stop sequences in the Anthropic body as stop_sequences', async () => {
    const result = await t.model.describe(await request({ api: 'INVOKE_MODEL', stopSequences: ['single colour'] }));
    expect(t.emulator.calls[0]).toMatchObject({
      operation: 'InvokeModel',
      body: { stop_sequences: ['single colour'] },
    });
    expect(result.stopReason).toBe('stop_sequence');
  });

  it('keeps the seed’s exact InvokeModel body when no stop sequences are given', async () => {
    const png = (await request()).images[0].bytes;
    await t.model.describe(await request({ api: 'INVOKE_MODEL', stopSequences: [] }));
    expect(t.emulator.calls[0].body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1000,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: Buffer.from(png).toString('base64') },
            },
            { type: 'text', text: 'What is in this image?' },
          ],
        },
      ],
    });
  });

  it('sends no stopSequences to Converse when none are given', async () => {
    await t.model.describe(await request());
    expect(t.emulator.calls[0].body).toMatchObject({ inferenceConfig: { maxTokens: 1000 } });
    expect(t.emulator.calls[0].body).not.toHaveProperty('inferenceConfig.stopSequences');
  });

  it('names the models of the catalog it was given when Bedrock refuses a model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const path = join(dir, 'override.json');
    const base = loadModelCatalog().find('amazon.nova-lite-v1:0')!;
    writeFileSync(
      path,
      JSON.stringify({ models: [{ ...base, id: 'amazon.nova-private-v1:0', name: 'Nova Private' }] }),
    );
    const model = modelFor(t.emulator, loadModelCatalog(path));
    try {
      t.emulator.injectFault({ kind: 'end-of-life' });
      const error = await expectAppError(model.describe(await request()), 'UPSTREAM_MODEL_UNAVAILABLE');
      expect(error.message).toContain(`Claude 3 Sonnet (${SONNET_3}) reached its end of life on Bedrock on 2025-07-21`);
      expect(error.message).toContain('Nova Private (amazon.nova-private-v1:0)');
      expect(error.message).toContain('Bedrock said: ResourceNotFoundException');
    } finally {
      model.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with CANCELLED when the request is aborted', async () => {
    t.emulator.injectFault({ kind: 'slow', delayMs: 2000 });
    const controller = new AbortController();
    const call = t.model.describe(await request({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await expectAppError(call, 'CANCELLED');
    expect(error.message).toBe('The client cancelled the request');
  });
});
