import { ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { bedrockClient, solidImage, SONNET_3 } from './helpers.js';

describe('Emulator: the record of calls', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function start(options: EmulatorOptions): Promise<Emulator> {
    emulator = await startEmulator(options);
    return emulator;
  }

  function say(target: Emulator, text: string) {
    return bedrockClient(target.url).send(
      new ConverseCommand({ modelId: SONNET_3, messages: [{ role: 'user', content: [{ text }] }] }),
    );
  }

  it('keeps only the most recent maxRecordedCalls calls, oldest dropped first', async () => {
    const target = await start({ maxRecordedCalls: 3 });
    const requestIds: (string | undefined)[] = [];
    for (const text of ['one', 'two', 'three', 'four', 'five'])
      requestIds.push((await say(target, text)).$metadata.requestId);

    expect(target.calls.map((c) => c.requestId)).toEqual(requestIds.slice(2));
  });

  it('records nothing with maxRecordedCalls 0, and still answers', async () => {
    const target = await start({ maxRecordedCalls: 0 });
    const res = await say(target, 'hello');

    expect(res.stopReason).toBe('end_turn');
    expect(target.calls).toEqual([]);
  });

  it('refuses a negative or fractional maxRecordedCalls', async () => {
    await expect(startEmulator({ maxRecordedCalls: -1 })).rejects.toThrow(RangeError);
    await expect(startEmulator({ maxRecordedCalls: 1.5 })).rejects.toThrow(RangeError);
  });

  it('leaves Converse image data out of the record when asked, and keeps the rest of the body', async () => {
    const target = await start({ recordImageData: false });
    const png = await solidImage(8, 8, 'png');
    const base64Length = png.toString('base64').length;
    await bedrockClient(target.url).send(
      new ConverseCommand({
        modelId: SONNET_3,
        messages: [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: png } } }, { text: 'Hi' }] }],
      }),
    );

    const expectedBody = {
      messages: [
        {
          role: 'user',
          content: [
            {
              image: {
                format: 'png',
                source: { bytes: `<${base64Length} characters of base64 image data, not recorded>` },
              },
            },
            { text: 'Hi' },
          ],
        },
      ],
    };
    expect(target.calls[0]).toMatchObject({ status: 200, body: expectedBody });
    expect(JSON.parse(target.calls[0]?.rawBody ?? '')).toEqual(expectedBody);
  });

  it('leaves InvokeModel image data out of the record when asked', async () => {
    const target = await start({ recordImageData: false });
    const data = (await solidImage(8, 8, 'png')).toString('base64');
    const body = {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 50,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data } },
            { type: 'text', text: 'Hi' },
          ],
        },
      ],
    };
    await bedrockClient(target.url).send(new InvokeModelCommand({ modelId: SONNET_3, body: JSON.stringify(body) }));

    expect(target.calls[0]?.body).toMatchObject({
      messages: [
        {
          content: [
            {
              source: {
                media_type: 'image/png',
                data: `<${data.length} characters of base64 image data, not recorded>`,
              },
            },
            { text: 'Hi' },
          ],
        },
      ],
    });
    expect(target.calls[0]?.rawBody).not.toContain(data);
  });

  it('keeps the first 1 024 characters of a body that is not JSON when image data is left out', async () => {
    const target = await start({ recordImageData: false });
    const text = '{' + 'x'.repeat(5000);
    await fetch(`${target.url}/model/${encodeURIComponent(SONNET_3)}/converse`, { method: 'POST', body: text });

    expect(target.calls[0]).toMatchObject({ status: 400, body: undefined, rawBody: text.slice(0, 1024) });
  });
});
