import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, ImageFormat } from '@aws-sdk/client-bedrock-runtime';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { bedrockClient, photoBoard, rule, sdkError, solidImage, SONNET_3 } from './helpers.js';

const PROMPT = 'What is in this image?';

function imageBlock(bytes: Uint8Array, format: ImageFormat): ContentBlock {
  return { image: { format, source: { bytes } } };
}

describe('Emulator: Converse', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  function converse(content: ContentBlock[], extra: Partial<ConstructorParameters<typeof ConverseCommand>[0]> = {}) {
    return bedrockClient(emulator.url).send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content }], ...extra }),
    );
  }

  it('describes a generated image by its real size, format and colour', async () => {
    const png = await solidImage(64, 32, 'png', '#ff0000');
    const res = await converse([imageBlock(png, 'png'), { text: PROMPT }]);

    const text = res.output?.message?.content?.[0]?.text ?? '';
    expect(res.output?.message?.role).toBe('assistant');
    expect(text).toContain('Image 1 is a 64×32 PNG image');
    expect(text).toContain('#ff0000 (red)');
    expect(text).toContain(`"${PROMPT}"`);
    expect(res.stopReason).toBe('end_turn');
    const inputTokens = rule.imageTokens(64, 32) + rule.textTokens(PROMPT);
    expect(inputTokens).toBe(3 + 6);
    expect(res.usage).toEqual({
      inputTokens,
      outputTokens: rule.textTokens(text),
      totalTokens: inputTokens + rule.textTokens(text),
    });
    expect(res.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers Converse with usage computed from the downscaled image', async () => {
    const jpeg = await solidImage(3000, 2000, 'jpeg', '#2040c0');
    const res = await converse([imageBlock(jpeg, 'jpeg'), { text: PROMPT }]);

    expect(res.output?.message?.content?.[0]?.text).toContain('3000×2000 JPEG');
    // The long edge goes to 1568 px and the short one scales with it: 2000 × 1568 / 3000 = 1045.3 → 1045.
    expect(res.usage?.inputTokens).toBe(Math.ceil((1568 * 1045) / 750) + rule.textTokens(PROMPT));
  });

  it('describes the real photograph with the dominant colour sharp finds in it', async () => {
    const photo = await photoBoard();
    const { dominant } = await sharp(photo).stats();
    const hex = '#' + [dominant.r, dominant.g, dominant.b].map((c) => c.toString(16).padStart(2, '0')).join('');

    const res = await converse([imageBlock(photo, 'jpeg'), { text: PROMPT }]);

    expect(res.output?.message?.content?.[0]?.text).toMatch(
      new RegExp(`^Image 1 is a 720×477 JPEG image whose dominant colour is ${hex} \\([a-z ]+\\)\\.`),
    );
    expect(res.usage?.inputTokens).toBe(rule.imageTokens(720, 477) + rule.textTokens(PROMPT));
  });

  it('counts the system prompt and every image, one sentence per image', async () => {
    const red = await solidImage(10, 10, 'png', '#ff0000');
    const blue = await solidImage(20, 10, 'webp', '#0000ff');
    const system = 'You describe images for a catalogue.';
    const res = await converse([imageBlock(red, 'png'), imageBlock(blue, 'webp'), { text: 'Compare them.' }], {
      system: [{ text: system }],
    });

    const text = res.output?.message?.content?.[0]?.text ?? '';
    expect(text).toContain('Image 1 is a 10×10 PNG');
    expect(text).toContain('Image 2 is a 20×10 WEBP');
    expect(res.usage?.inputTokens).toBe(
      rule.imageTokens(10, 10) + rule.imageTokens(20, 10) + rule.textTokens(system, 'Compare them.'),
    );
  });

  it('gives the same text and usage for the same input', async () => {
    const png = await solidImage(100, 50, 'png', '#3c4a2f');
    const first = await converse([imageBlock(png, 'png'), { text: PROMPT }]);
    const second = await converse([imageBlock(png, 'png'), { text: PROMPT }]);

    expect(second.output).toEqual(first.output);
    expect(second.usage).toEqual(first.usage);
    expect(first.output?.message?.content?.[0]?.text).toContain('#3c4a2f (dark green)');
  });

  it('truncates the answer at maxTokens and says so in stopReason', async () => {
    const png = await solidImage(64, 32, 'png');
    const full = await converse([imageBlock(png, 'png'), { text: PROMPT }]);
    const res = await converse([imageBlock(png, 'png'), { text: PROMPT }], { inferenceConfig: { maxTokens: 5 } });

    const fullText = full.output?.message?.content?.[0]?.text ?? '';
    expect(rule.textTokens(fullText)).toBeGreaterThan(5);
    expect(res.stopReason).toBe('max_tokens');
    expect(res.output?.message?.content?.[0]?.text).toBe(fullText.slice(0, 5 * 4));
    expect(res.usage?.outputTokens).toBe(5);
    expect(res.usage?.inputTokens).toBe(full.usage?.inputTokens);
  });

  it('stops at a stop sequence', async () => {
    const png = await solidImage(64, 32, 'png');
    const res = await converse([imageBlock(png, 'png'), { text: PROMPT }], {
      inferenceConfig: { stopSequences: ['PNG'] },
    });

    expect(res.stopReason).toBe('stop_sequence');
    expect(res.output?.message?.content?.[0]?.text).toBe('Image 1 is a 64×32 ');
  });

  it('puts the x-amzn-requestid it recorded into $metadata.requestId', async () => {
    const res = await converse([{ text: PROMPT }]);

    expect(res.$metadata.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'Converse',
      modelId: SONNET_3,
      requestId: res.$metadata.requestId,
      status: 200,
      body: { messages: [{ role: 'user', content: [{ text: PROMPT }] }] },
    });
  });

  it('refuses bytes that are not an image with a ValidationException', async () => {
    const err = await sdkError(converse([imageBlock(Buffer.from('definitely not a png'), 'png'), { text: PROMPT }]));

    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toContain('Could not process image');
    expect(emulator.calls.at(-1)?.status).toBe(400);
  });

  it('refuses an image whose declared format is not its real one', async () => {
    const jpeg = await solidImage(16, 16, 'jpeg');
    const err = await sdkError(converse([imageBlock(jpeg, 'png'), { text: PROMPT }]));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('does not match the provided media type image/png');
  });

  it('refuses a conversation that starts with the assistant', async () => {
    const err = await sdkError(
      bedrockClient(emulator.url).send(
        new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'assistant', content: [{ text: 'Hi' }] }] }),
      ),
    );

    expect(err.name).toBe('ValidationException');
  });

  it('refuses a maxTokens below 1', async () => {
    const err = await sdkError(converse([{ text: PROMPT }], { inferenceConfig: { maxTokens: 0 } }));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('inferenceConfig.maxTokens');
  });
});
