import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { photoBoardJpeg, solidImage, toBase64 } from './helpers/images.js';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { DESCRIBE } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

/** Anthropic's rule for image tokens, after the model's own downscale to a 1568 px long edge. */
function imageTokens(width: number, height: number): number {
  const scale = Math.min(1, 1568 / Math.max(width, height));
  return Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / 750);
}

describe.each(DATABASES)('describeImage on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.clearFaults();
    t.emulator.resetCalls();
  });

  it('describes a photo through Converse and records usage, cost and latency', async () => {
    const photo = photoBoardJpeg();
    const res = await t.gql(DESCRIBE, { input: { image: { base64: toBase64(photo) } } });
    const d = expectData(res).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(d.modelId).toBe('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(d.api).toBe('CONVERSE');
    expect(d.prompt).toBe('What is in this image?');
    expect(d.text).toMatch(/720\s*[×x]\s*477/);
    expect(d.text).toMatch(/JPEG/i);
    expect(d.images).toEqual([
      expect.objectContaining({ mediaType: 'image/jpeg', width: 720, height: 477, byteSize: photo.length }),
    ]);
    expect(d.images[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.usage.inputTokens).toBeGreaterThanOrEqual(imageTokens(720, 477));
    expect(d.usage.totalTokens).toBe(d.usage.inputTokens + d.usage.outputTokens);
    // Claude 3 Sonnet: $3 in, $15 out per million tokens, computed without floats.
    const expectedMicroCents = BigInt(d.usage.inputTokens) * 3n + BigInt(d.usage.outputTokens) * 15n;
    expect(d.costUsd).toBe(formatMillionths(expectedMicroCents));
    expect(d.latencyMs).toBeGreaterThanOrEqual(0);
    expect(d.modelLatencyMs).toBeGreaterThanOrEqual(0);
    expect(d.bedrockRequestId).toBe(t.emulator.calls[0]!.requestId);
    expect(t.emulator.calls).toHaveLength(1);
    expect(t.emulator.calls[0]!.operation).toBe('Converse');

    const again = expectData(
      await t.gql(`query($id: ID!) { description(id: $id) { status text costUsd usage { totalTokens } } }`, {
        id: d.id,
      }),
    );
    expect(again.description).toEqual({
      status: 'SUCCEEDED',
      text: d.text,
      costUsd: d.costUsd,
      usage: { totalTokens: d.usage.totalTokens },
    });
  });

  it('sends InvokeModel the exact body the seed article builds', async () => {
    const photo = photoBoardJpeg();
    const res = await t.gql(DESCRIBE, { input: { image: { base64: toBase64(photo) }, api: 'INVOKE_MODEL' } });
    const d = expectData(res).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(d.api).toBe('INVOKE_MODEL');
    expect(t.emulator.calls).toHaveLength(1);
    const call = t.emulator.calls[0]!;
    expect(call.operation).toBe('InvokeModel');
    expect(call.modelId).toBe('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(call.body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 1000,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: photo.toString('base64') } },
            { type: 'text', text: 'What is in this image?' },
          ],
        },
      ],
    });
    expect(d.text).toMatch(/720\s*[×x]\s*477/);
    expect(d.usage.inputTokens).toBeGreaterThanOrEqual(imageTokens(720, 477));
    expect(d.bedrockRequestId).toBe(call.requestId);
  });

  it('sends several images in order with the prompt, system prompt and parameters', async () => {
    const red = await solidImage(64, 32, 'png', { r: 220, g: 20, b: 20 });
    const blue = await solidImage(40, 40, 'webp', { r: 20, g: 20, b: 220 });
    const res = await t.gql(DESCRIBE, {
      input: {
        images: [{ base64: toBase64(red) }, { base64: toBase64(blue) }],
        prompt: 'Compare these.',
        system: 'Answer briefly.',
        modelId: 'amazon.nova-lite-v1:0',
        maxTokens: 300,
        temperature: 0.2,
        topP: 0.9,
      },
    });
    const d = expectData(res).describeImage;
    expect(d.images.map((i: { mediaType: string }) => i.mediaType)).toEqual(['image/png', 'image/webp']);
    const body = t.emulator.calls[0]!.body as any;
    expect(body.messages[0].content.map((c: any) => Object.keys(c)[0])).toEqual(['image', 'image', 'text']);
    expect(body.messages[0].content[0].image.format).toBe('png');
    expect(body.messages[0].content[1].image.format).toBe('webp');
    expect(body.messages[0].content[2].text).toBe('Compare these.');
    expect(body.system).toEqual([{ text: 'Answer briefly.' }]);
    expect(body.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0.2, topP: 0.9 });
    // Nova Lite: $0.06 in, $0.24 out per million tokens.
    expect(d.costUsd).toBe(formatMillionths(BigInt(d.usage.inputTokens) * 6n + BigInt(d.usage.outputTokens) * 24n, 8));
  });

  it('lists a request in history exactly as describeImage answered it, images in order', async () => {
    const ALL_FIELDS = /* GraphQL */ `
      fragment All on Description {
        id
        status
        modelId
        api
        prompt
        system
        maxTokens
        temperature
        topP
        text
        stopReason
        usage {
          inputTokens
          outputTokens
          totalTokens
          cacheReadInputTokens
          cacheWriteInputTokens
        }
        costUsd
        estimatedCostUsd
        stopSequences
        latencyMs
        modelLatencyMs
        bedrockRequestId
        clientRequestId
        createdAt
        completedAt
        error {
          code
          message
        }
        images {
          sha256
          mediaType
          width
          height
          byteSize
          source
          original {
            mediaType
            width
            height
            byteSize
          }
        }
      }
    `;
    const wide = await solidImage(2400, 300, 'png', { r: 10, g: 120, b: 10 });
    const small = await solidImage(40, 40, 'webp', { r: 20, g: 20, b: 220 });
    const red = await solidImage(64, 32, 'jpeg', { r: 220, g: 20, b: 20 });
    const input = {
      images: [{ base64: toBase64(small) }, { base64: toBase64(wide) }, { base64: toBase64(red) }],
      prompt: 'Compare these.',
      system: 'Answer briefly.',
      temperature: 0.5,
      stopSequences: ['END'],
      clientRequestId: `history-roundtrip-${kind}`,
    };
    const described = expectData(
      await t.gql(`mutation($input: DescribeImageInput!) { describeImage(input: $input) { ...All } } ${ALL_FIELDS}`, {
        input,
      }),
    ).describeImage;
    expect(described.images.map((i: { width: number }) => i.width)).toEqual([40, 1568, 64]);
    expect(described.images[1].original).toEqual({
      mediaType: 'image/png',
      width: 2400,
      height: 300,
      byteSize: wide.length,
    });
    const listed = expectData(
      await t.gql(
        `query($id: String) { history(filter: { clientRequestId: $id }) { edges { node { ...All } } } } ${ALL_FIELDS}`,
        {
          id: input.clientRequestId,
        },
      ),
    ).history.edges;
    expect(listed).toEqual([{ node: described }]);
  });

  it('records a model outside the catalog with a null cost', async () => {
    const png = await solidImage(16, 16);
    const res = await t.gql(DESCRIBE, {
      input: { image: { base64: toBase64(png) }, modelId: 'example.private-vision-v1:0' },
    });
    const d = expectData(res).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(d.costUsd).toBeNull();
    expect(d.usage.totalTokens).toBeGreaterThan(0);
  });

  it('recovers from throttling through the SDK retries', async () => {
    t.emulator.injectFault({ kind: 'throttle', times: 2 });
    const png = await solidImage(16, 16);
    const d = expectData(await t.gql(DESCRIBE, { input: { image: { base64: toBase64(png) } } })).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(t.emulator.calls).toHaveLength(3);
  });

  it('replays a repeated clientRequestId without calling the model again', async () => {
    const png = await solidImage(20, 20);
    const input = { image: { base64: toBase64(png) }, clientRequestId: `retry-${kind}` };
    const first = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    const second = expectData(await t.gql(DESCRIBE, { input })).describeImage;
    expect(second.id).toBe(first.id);
    expect(second.costUsd).toBe(first.costUsd);
    expect(t.emulator.calls).toHaveLength(1);

    const other = await t.gql(DESCRIBE, { input: { ...input, prompt: 'Something else?' } });
    expectErrorCode(other, 'BAD_USER_INPUT', 'CLIENT_REQUEST_ID_REUSED');
    expect(t.emulator.calls).toHaveLength(1);
  });
});

/** An integer count of 10^-scale dollars, written the way the API writes decimals. */
function formatMillionths(units: bigint, scale = 6): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  const whole = digits.slice(0, -scale);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}
