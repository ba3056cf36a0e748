import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_ID } from '../../src/config.js';
import { generateApiKey } from '../../src/auth/index.js';
import { createLogger } from '../../src/logging/index.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { DESCRIBE } from '../helpers/operations.js';
import { subscribe, wsClient } from '../helpers/subscribe.js';
import { startObservedApp, type ObservedApp } from '../metrics/startObservedApp.js';

const DESCRIBE_STREAM = /* GraphQL */ `
  subscription Stream($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
      description {
        id
        usage {
          inputTokens
          outputTokens
        }
        costUsd
      }
    }
  }
`;

const PROMPT = 'What colour is the square?';

/** The app with its log lines kept as parsed JSON objects, at the given level. */
async function startLoggedApp(level: 'info' | 'debug') {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const logger = createLogger(
    { level, format: 'json' },
    {
      write(text: string) {
        raw.push(text);
        lines.push(JSON.parse(text));
      },
    },
  );
  const t = await startObservedApp('pglite', {}, logger);
  const operationLines = () => lines.filter((line) => line.msg === 'graphql operation');
  return { t, lines, raw, operationLines };
}

describe('Logging: one line per GraphQL operation', () => {
  let app: Awaited<ReturnType<typeof startLoggedApp>>;
  let t: ObservedApp;
  let image: string;
  beforeAll(async () => {
    app = await startLoggedApp('info');
    t = app.t;
    image = toBase64(await solidImage(48, 32, 'png'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('says who, what, which model, how it went, tokens, cost and latency for a describe', async () => {
    const before = app.operationLines().length;
    const res = await t.post(DESCRIBE, { input: { image: { base64: image }, prompt: PROMPT } });
    const described = ((await res.json()) as any).data.describeImage;
    const lines = app.operationLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      requestId: res.headers.get('x-request-id'),
      operation: 'describeImage',
      operationName: 'Describe',
      model: DEFAULT_MODEL_ID,
      status: 200,
      inputTokens: described.usage.inputTokens,
      outputTokens: described.usage.outputTokens,
      costUsd: described.costUsd,
      descriptionId: described.id,
    });
    expect(lines[0]!.latencyMs).toEqual(expect.any(Number));
    expect(lines[0]).not.toHaveProperty('code');
    // Open mode: no key, so no key prefix.
    expect(lines[0]).not.toHaveProperty('keyPrefix');
  });

  it("keeps a client's x-request-id, and gives one to a request that has none", async () => {
    const given = await t.post('{ __typename }', {}, { 'x-request-id': 'lb-7f3a.42' });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42');
    expect(app.operationLines().at(-1)).toMatchObject({ requestId: 'lb-7f3a.42', operation: '__typename' });
    const odd = await t.post('{ __typename }', {}, { 'x-request-id': 'has spaces and "quotes"' });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a failed Bedrock call as a warning with its code and row, and a refusal as info with its code', async () => {
    t.emulator.injectFault({ kind: 'throttle', times: 1 });
    const failed = await t.post(DESCRIBE, { input: { image: { base64: image } } });
    const failure = ((await failed.json()) as any).errors[0].extensions;
    expect(app.operationLines().at(-1)).toMatchObject({
      level: 40,
      code: 'UPSTREAM_THROTTLED',
      model: DEFAULT_MODEL_ID,
      descriptionId: failure.descriptionId,
    });
    await t.post(DESCRIBE, { input: { image: { base64: image }, maxTokens: 0 } });
    expect(app.operationLines().at(-1)).toMatchObject({
      level: 30,
      code: 'BAD_USER_INPUT',
      operation: 'describeImage',
    });
  });

  it('logs a subscription over WebSocket once, when its stream ends, with what it described', async () => {
    const before = app.operationLines().length;
    const client = wsClient(`${t.origin}/graphql`);
    try {
      const events = await subscribe<any>(client, DESCRIBE_STREAM, { input: { image: { base64: image } } }).done;
      const description = events.at(-1).describeImageStream.description;
      const lines = app.operationLines().slice(before);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 30,
        transport: 'websocket',
        operation: 'describeImageStream',
        operationName: 'Stream',
        model: DEFAULT_MODEL_ID,
        inputTokens: description.usage.inputTokens,
        outputTokens: description.usage.outputTokens,
        costUsd: description.costUsd,
        descriptionId: description.id,
      });
      expect(lines[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await client.dispose();
    }
  });

  it('writes no image bytes and no prompt at info level', () => {
    const everything = app.raw.join('');
    expect(everything).not.toContain(image.slice(0, 40));
    expect(everything).not.toContain(PROMPT);
  });
});

describe('Logging: at debug level, and with an API key', () => {
  let app: Awaited<ReturnType<typeof startLoggedApp>>;
  let image: string;
  beforeAll(async () => {
    app = await startLoggedApp('debug');
    image = toBase64(await solidImage(48, 32, 'png'));
  });
  afterAll(async () => {
    await app?.t.stop();
  });

  it('adds the prompt to the operation line, and still no image bytes', async () => {
    await app.t.post(DESCRIBE, { input: { image: { base64: image }, prompt: PROMPT } });
    expect(app.operationLines().at(-1)).toMatchObject({ operation: 'describeImage', prompt: PROMPT });
    expect(app.raw.join('')).not.toContain(image.slice(0, 40));
  });

  it("names the API key by its public prefix, and never writes the key's secret", async () => {
    const key = generateApiKey();
    await app.t.app.store.apiKeys.create({
      name: 'log-test',
      prefix: key.prefix,
      secretHash: key.secretHash,
      admin: false,
      rpm: null,
      dailyUsd: null,
      monthlyUsd: null,
    });
    const res = await app.t.post(
      DESCRIBE,
      { input: { image: { base64: image } } },
      { authorization: `Bearer ${key.secret}` },
    );
    expect(res.status).toBe(200);
    expect(app.operationLines().at(-1)).toMatchObject({ operation: 'describeImage', keyPrefix: key.prefix });
    expect(app.raw.join('')).not.toContain(key.secret);
  });
});
