import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ContentBlock, ConverseCommandOutput, ImageFormat } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { bedrockClient, photoBoard, sdkError, solidImage, SONNET_3 } from './helpers.js';

function imageBlock(bytes: Uint8Array, format: ImageFormat): ContentBlock {
  return { image: { format, source: { bytes } } };
}

function converse(emulator: Emulator, content: ContentBlock[]): Promise<ConverseCommandOutput> {
  return bedrockClient(emulator.url).send(
    new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content }] }),
  );
}

/** What a client can see of an answer, without the fields that differ per call (request id, latency). */
function seen(res: ConverseCommandOutput): unknown {
  return { output: res.output, stopReason: res.stopReason, usage: res.usage };
}

describe('Emulator: images it has seen before', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  it('answers a repeated image exactly as a fresh emulator answers it the first time', async () => {
    const photo = await photoBoard();
    const content = [imageBlock(photo, 'jpeg'), { text: 'What is in this image?' }];
    const first = await converse(emulator, content);
    const again = await Promise.all([converse(emulator, content), converse(emulator, content)]);
    const fresh = await startEmulator();
    try {
      const fromFresh = await converse(fresh, content);

      expect(again.map(seen)).toEqual([seen(first), seen(first)]);
      expect(seen(fromFresh)).toEqual(seen(first));
      expect(first.output?.message?.content?.[0]?.text).toMatch(/^Image 1 is a 720×477 JPEG image whose dominant/);
    } finally {
      await fresh.close();
    }
  });

  it('describes each image of a request by its own bytes when some were seen before and some not', async () => {
    const red = await solidImage(30, 20, 'png', '#ff0000');
    const blue = await solidImage(20, 30, 'png', '#0000ff');
    await converse(emulator, [imageBlock(red, 'png')]);

    const res = await converse(emulator, [imageBlock(blue, 'png'), imageBlock(red, 'png')]);

    expect(res.output?.message?.content?.[0]?.text).toBe(
      'Image 1 is a 20×30 PNG image filled with the single colour #0000ff (blue). ' +
        'Image 2 is a 30×20 PNG image filled with the single colour #ff0000 (red).',
    );
  });

  it('still refuses a known image declared in another format', async () => {
    const png = await solidImage(16, 16, 'png');
    await converse(emulator, [imageBlock(png, 'png')]);

    const err = await sdkError(converse(emulator, [imageBlock(png, 'jpeg')]));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe('messages.0.content.0.image: Image does not match the provided media type image/jpeg');
  });

  it("names the call's own position of an image it has refused before", async () => {
    const broken = Buffer.from('definitely not a png');
    const first = await sdkError(converse(emulator, [imageBlock(broken, 'png')]));
    const second = await sdkError(converse(emulator, [{ text: 'Look:' }, imageBlock(broken, 'png')]));

    expect(first.message).toBe('messages.0.content.0.image: Could not process image');
    expect(second.message).toBe('messages.0.content.1.image: Could not process image');
  });

  it('answers a known image declared wrongly and then rightly as a fresh emulator would', async () => {
    const webp = await solidImage(12, 8, 'webp', '#00ff00');
    const refused = await sdkError(converse(emulator, [imageBlock(webp, 'png')]));
    const res = await converse(emulator, [imageBlock(webp, 'webp')]);
    const fresh = await startEmulator();
    try {
      const fromFresh = await converse(fresh, [imageBlock(webp, 'webp')]);

      expect(refused.name).toBe('ValidationException');
      expect(seen(res)).toEqual(seen(fromFresh));
      expect(res.output?.message?.content?.[0]?.text).toMatch(/^Image 1 is a 12×8 WEBP image filled with the single/);
    } finally {
      await fresh.close();
    }
  });
});
