import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { startApp, type RunningApp } from '../src/startApp.js';
import { DATABASES } from './helpers/databases.js';
import { expectData, gql } from './helpers/graphqlClient.js';
import { photoBoardJpeg, toBase64 } from './helpers/images.js';
import { freshDatabase, type TestDatabase } from './helpers/startTestApp.js';

const DESCRIBE = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      provider
      text
    }
  }
`;

const HISTORY_PROVIDERS = /* GraphQL */ `
  query {
    history(first: 10) {
      edges {
        node {
          id
          provider
        }
      }
    }
  }
`;

/** The variables through which the AWS SDK could find credentials on this machine, all unset. */
const NO_AWS_CREDENTIALS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_EC2_METADATA_DISABLED',
];

/** A machine with no AWS set-up at all: no variables, no ~/.aws files, and instance metadata at `imds`. */
function stubFreshMachine(imds: string | undefined): void {
  for (const name of NO_AWS_CREDENTIALS) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws/credentials');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws/config');
  if (imds === undefined) vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  else vi.stubEnv('AWS_EC2_METADATA_SERVICE_ENDPOINT', imds);
}

/**
 * An instance-metadata endpoint on a network that drops packets: it never answers, and notes
 * how long each request was held before the client gave up on it.
 */
async function startSilentMetadataService(): Promise<{ url: string; heldMs: number[]; close(): Promise<void> }> {
  const heldMs: number[] = [];
  const open = new Set<IncomingMessage>();
  const server: Server = createServer((req) => {
    const arrived = performance.now();
    open.add(req);
    req.socket.once('close', () => {
      open.delete(req);
      heldMs.push(performance.now() - arrived);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heldMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function configFor(env: Record<string, string>, database: TestDatabase) {
  const config = loadConfig({ LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', ...env });
  return { ...config, database: database.config };
}

const describeSample = (url: string) =>
  gql(url, DESCRIBE, { input: { image: { base64: toBase64(photoBoardJpeg()) } } });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(DATABASES)('BEDROCK_MODE on %s', (kind) => {
  let database: TestDatabase;
  let app: RunningApp | undefined;

  beforeEach(async () => {
    database = await freshDatabase(kind);
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await database.cleanup();
  });

  it('answers from an in-process emulator when no AWS credentials are found, and says so on every row and on the page', async () => {
    const imds = await startSilentMetadataService();
    try {
      stubFreshMachine(imds.url);
      app = await startApp(configFor({}, database), { logger: pino({ level: 'silent' }) });
      const url = `http://127.0.0.1:${app.address.port}/graphql`;

      expect(app.provider).toBe('EMULATOR');
      expect(app.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The seed's default model (retired on Bedrock) answers: the emulator still serves it.
      const described = expectData(await describeSample(url)).describeImage;
      expect(described).toMatchObject({ status: 'SUCCEEDED', provider: 'EMULATOR' });
      expect(described.text).toContain('720×477 JPEG');
      const history = expectData(await gql(url, HISTORY_PROVIDERS)).history;
      expect(history.edges).toEqual([{ node: { id: described.id, provider: 'EMULATOR' } }]);
      // The ledger never mixes real and emulated answers without saying so: history filters by provider.
      const byProvider = async (provider: string) =>
        expectData(await gql(url, `{ history(filter: { provider: [${provider}] }) { totalCount } }`)).history
          .totalCount;
      expect(await byProvider('EMULATOR')).toBe(1);
      expect(await byProvider('BEDROCK')).toBe(0);

      const page = await (await fetch(`http://127.0.0.1:${app.address.port}/`)).text();
      expect(page).toContain('class="card emulator-banner"');
      expect(page).toContain('AWS_BEARER_TOKEN_BEDROCK');

      // The instance-metadata probe was made and given up on long before the SDK's own 1 s timeout (the
      // configured 250 ms, with room for a busy machine), so a laptop off AWS does not wait for it.
      expect(imds.heldMs.length).toBeGreaterThan(0);
      for (const held of imds.heldMs) expect(held).toBeLessThan(800);
    } finally {
      await imds.close();
    }
  });

  it('sends a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as Authorization: Bearer, and records BEDROCK', async () => {
    const emulator = await startEmulator();
    try {
      stubFreshMachine(undefined);
      const env = {
        AWS_BEARER_TOKEN_BEDROCK: 'ABSKtest-bedrock-api-key',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
        MODEL_LIFECYCLE: 'off',
      };
      app = await startApp(configFor(env, database), { logger: pino({ level: 'silent' }) });
      const url = `http://127.0.0.1:${app.address.port}/graphql`;

      expect(app.provider).toBe('BEDROCK');
      const described = expectData(await describeSample(url)).describeImage;
      expect(described).toMatchObject({ status: 'SUCCEEDED', provider: 'BEDROCK' });
      expect(emulator.calls.map((call) => call.auth)).toEqual(['bearer']);
      const page = await (await fetch(`http://127.0.0.1:${app.address.port}/`)).text();
      expect(page).not.toContain('emulator-banner');
    } finally {
      await app?.stop();
      app = undefined;
      await emulator.close();
    }
  });
});

describe('BEDROCK_MODE in production', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase('pglite');
  });
  afterAll(async () => {
    await database.cleanup();
  });

  it('refuses to start without AWS credentials instead of falling back to the emulator', async () => {
    stubFreshMachine(undefined);
    const started = startApp(configFor({ NODE_ENV: 'production' }, database), { logger: pino({ level: 'silent' }) });
    const error = await started.then(
      async (app) => {
        await app.stop();
        return new Error('started');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/NODE_ENV=production and no AWS credentials were found/);
    expect((error as Error).message).toContain('AWS_BEARER_TOKEN_BEDROCK');
  });

  it('uses Bedrock with BEDROCK_MODE=aws even when no credentials can be found (calls then fail, visibly)', async () => {
    stubFreshMachine(undefined);
    const app = await startApp(configFor({ BEDROCK_MODE: 'aws' }, database), { logger: pino({ level: 'silent' }) });
    try {
      expect(app.provider).toBe('BEDROCK');
      expect(app.emulatorUrl).toBeUndefined();
    } finally {
      await app.stop();
    }
  });
});

describe('the emulator and authentication', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });
  const converse = (authorization: string | undefined) =>
    fetch(`${emulator.url}/model/${encodeURIComponent('amazon.nova-lite-v1:0')}/converse`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] }),
    });

  it('accepts a Bearer API key and records it as such', async () => {
    emulator.resetCalls();
    const res = await converse('Bearer ABSKsome-key');
    expect(res.status).toBe(200);
    expect(emulator.calls.map((call) => call.auth)).toEqual(['bearer']);
  });

  it('refuses an Authorization header that is neither SigV4 nor Bearer, as Bedrock would', async () => {
    emulator.resetCalls();
    const res = await converse('Basic dXNlcjpwYXNz');
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^AccessDeniedException/);
    expect(emulator.calls).toEqual([]);
  });
});
