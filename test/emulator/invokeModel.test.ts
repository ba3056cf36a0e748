import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { bedrockClient, photoBoard, rule, sdkError, solidImage, SONNET_3 } from './helpers.js';

interface MessagesResponse {
  id: string;
  type: string;
  role: string;
  content: { type: string; text: string }[];
  model: string;
  stop_reason: string;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

/** The seed's request body, key for key, with the image supplied by the caller. */
function seedBody(encodedImage: string, mediaType = 'image/jpeg'): Record<string, unknown> {
  return {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 1000,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: mediaType, data: encodedImage } },
          { type: 'text', text: 'What is in this image?' },
        ],
      },
    ],
  };
}

describe('Emulator: InvokeModel', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  function invoke(body: unknown, modelId = SONNET_3) {
    return bedrockClient(emulator.url).send(new InvokeModelCommand({ modelId, body: JSON.stringify(body) }));
  }

  it("answers the seed's exact request with an Anthropic Messages body", async () => {
    const encodedImage = (await photoBoard()).toString('base64');
    const body = JSON.stringify(seedBody(encodedImage));

    const res = await bedrockClient(emulator.url).send(new InvokeModelCommand({ modelId: SONNET_3, body }));
    const responseBody = JSON.parse(new TextDecoder().decode(res.body)) as MessagesResponse;

    expect(res.contentType).toBe('application/json');
    expect(responseBody).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-3-sonnet-20240229',
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(responseBody.id).toMatch(/^msg_/);
    const text = responseBody.content[0].text;
    expect(responseBody.content).toEqual([{ type: 'text', text }]);
    expect(text).toContain('720×477 JPEG');
    expect(responseBody.usage).toEqual({
      input_tokens: rule.imageTokens(720, 477) + rule.textTokens('What is in this image?'),
      output_tokens: rule.textTokens(text),
    });
    expect(emulator.calls.at(-1)).toMatchObject({
      operation: 'InvokeModel',
      modelId: SONNET_3,
      rawBody: body,
      body: JSON.parse(body) as unknown,
      requestId: res.$metadata.requestId,
      status: 200,
    });
  });

  it('truncates at max_tokens and reports stop_reason max_tokens', async () => {
    const png = (await solidImage(64, 32, 'png')).toString('base64');
    const res = await invoke({ ...seedBody(png, 'image/png'), max_tokens: 3 });
    const responseBody = JSON.parse(new TextDecoder().decode(res.body)) as MessagesResponse;

    expect(responseBody.stop_reason).toBe('max_tokens');
    expect(responseBody.content[0].text).toHaveLength(12);
    expect(responseBody.usage.output_tokens).toBe(3);
  });

  it('reports the stop sequence it stopped at', async () => {
    const png = (await solidImage(64, 32, 'png')).toString('base64');
    const res = await invoke({ ...seedBody(png, 'image/png'), stop_sequences: ['single colour'] });
    const responseBody = JSON.parse(new TextDecoder().decode(res.body)) as MessagesResponse;

    expect(responseBody.stop_reason).toBe('stop_sequence');
    expect(responseBody.stop_sequence).toBe('single colour');
    expect(responseBody.content[0].text).toBe('Image 1 is a 64×32 PNG image filled with the ');
  });

  it('counts a string system prompt and string content', async () => {
    const res = await invoke({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    const responseBody = JSON.parse(new TextDecoder().decode(res.body)) as MessagesResponse;

    expect(responseBody.usage.input_tokens).toBe(rule.textTokens('Be brief.', 'Hello there'));
  });

  it.each([
    [
      'a missing anthropic_version',
      { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      'anthropic_version',
    ],
    [
      'a wrong anthropic_version',
      { anthropic_version: 'bedrock-2099-01-01', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      'anthropic_version',
    ],
    [
      'a missing max_tokens',
      { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'hi' }] },
      'max_tokens',
    ],
    ['a missing messages', { anthropic_version: 'bedrock-2023-05-31', max_tokens: 10 }, 'messages'],
    [
      'an extraneous key',
      {
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 10,
        maxTokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      },
      'extraneous key [maxTokens]',
    ],
    [
      'a temperature above 1',
      {
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 10,
        temperature: 1.5,
        messages: [{ role: 'user', content: 'hi' }],
      },
      'temperature',
    ],
  ])('refuses a body with %s with a ValidationException', async (_case, body, mention) => {
    const err = await sdkError(invoke(body));

    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toContain(mention);
  });

  it('refuses image data that is not base64', async () => {
    const err = await sdkError(invoke(seedBody('not base64!')));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('Could not process image');
  });

  it('refuses valid base64 that is not an image', async () => {
    const err = await sdkError(invoke(seedBody(Buffer.from('hello, world').toString('base64'))));

    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain('Could not process image');
  });

  it('refuses an Anthropic body sent to a model of another provider', async () => {
    const err = await sdkError(
      invoke(seedBody((await solidImage(8, 8, 'jpeg')).toString('base64')), 'amazon.nova-lite-v1:0'),
    );

    expect(err.name).toBe('ValidationException');
    expect(emulator.calls.at(-1)).toMatchObject({ modelId: 'amazon.nova-lite-v1:0', status: 400 });
  });

  it('serves model ARNs and inference profiles, decoding the id from the path', async () => {
    const arn = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
    const jpeg = (await solidImage(8, 8, 'jpeg')).toString('base64');

    const res = await invoke(seedBody(jpeg), arn);
    await invoke(seedBody(jpeg), 'us.anthropic.claude-3-haiku-20240307-v1:0');

    expect((JSON.parse(new TextDecoder().decode(res.body)) as MessagesResponse).model).toBe('claude-3-haiku-20240307');
    expect(emulator.calls.slice(-2).map((c) => c.modelId)).toEqual([arn, 'us.anthropic.claude-3-haiku-20240307-v1:0']);
  });
});
