import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { expectData, expectErrorCode, gql } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { spawnServer, type ServerProcess } from '../helpers/spawnServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = fileURLToPath(new URL('../helpers/registerTsLoader.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * The default model (Claude 3 Sonnet) bills $15 a million output tokens: a request allowed 16 tokens fits
 * in $0.01 with room to spare, one allowed 4 096 is estimated at more than $0.06.
 */
const MONTHLY_USD = '0.01';
const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      apiKeyId
    }
  }
`;

/** `npm run keys -- …` as a user runs it (from the TypeScript sources, as the other process tests do). */
async function keys(databaseUrl: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', LOADER, 'src/cli/keys.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: databaseUrl },
  });
  return stdout.trim().split('\n');
}

/** The line `keys list` prints for the key named `name`. */
const lineOf = (listed: string[], name: string) => listed.find((line) => line.includes(JSON.stringify(name)));

// Each command and the server are processes of their own, on one database per kind: the keys are made once,
// and the tests below run in order (the server stops before the revocation, since PGlite has one writer).
describe.each(['pglite', 'postgres'] as const)('npm run keys on %s', (kind) => {
  let url: string;
  let cleanup: () => Promise<void>;
  /** A budgeted key, and an admin key made with `--admin`; each the last line `create` printed. */
  let secret: string;
  let adminSecret: string;
  /** What `keys list` printed after both were made. */
  let listed: string[];

  beforeAll(async () => {
    if (kind === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'bvg-keys-'));
      url = `file:${dir}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const db = await createFreshPostgresDatabase();
      url = db.url;
      cleanup = db.drop;
    }
    const budgeted = ['--rpm', '60', '--daily-usd', '2.5', '--monthly-usd', MONTHLY_USD];
    secret = (await keys(url, 'create', '--name', 'ci bot', ...budgeted)).at(-1)!;
    adminSecret = (await keys(url, 'create', '--name', 'ops', '--admin')).at(-1)!;
    listed = await keys(url, 'list');
  }, 120_000);
  afterAll(async () => {
    await cleanup?.();
  });

  it('prints the secret once and stores only its hash', async () => {
    expect(secret).toMatch(/^bvg_[a-z2-7]{8}_[A-Za-z0-9_-]{32}$/);
    expect(listed.join('\n')).toContain(secret.slice(0, 12));
    expect(listed.join('\n')).not.toContain(secret);

    if (kind === 'postgres') {
      // What the database holds: the hash and the public prefix, never the secret.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT * FROM api_key ORDER BY "createdAt"');
      await client.end();
      expect(rows).toHaveLength(2);
      expect(rows[0].secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(secret.slice(13));
      expect(JSON.stringify(rows)).not.toContain(adminSecret.slice(13));
    }
  });

  it('lists each key with its role and its daily and monthly limits', () => {
    expect(lineOf(listed, 'ci bot')).toContain(`key, rpm 60, today $0 of $2.5, this month $0 of $${MONTHLY_USD}`);
    expect(lineOf(listed, 'ops')).toContain('admin, rpm unlimited, today $0, this month $0');
  });

  describe('a server on that database', () => {
    let emulator: Emulator;
    let server: ServerProcess;
    let origin: string;
    let image: string;
    const as = (key: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
      gql(`${origin}/graphql`, query, variables, key === undefined ? {} : { authorization: `Bearer ${key}` });

    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
      server = spawnServer({ DATABASE_URL: url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
      origin = await server.ready();
      image = toBase64(await solidImage(8, 8));
    }, 120_000);
    afterAll(async () => {
      server?.kill();
      await server?.exited;
      await emulator?.close();
    });

    it('takes the key and refuses requests without it', async () => {
      expect((await as(secret, '{ models { id } }')).status).toBe(200);
      expect((await as(undefined, '{ models { id } }')).status).toBe(401);
    });

    it('refuses a request whose estimate exceeds the --monthly-usd limit, and runs one that fits', async () => {
      const refused = await as(secret, DESCRIBE, { input: { image: { base64: image }, maxTokens: 4096 } });
      expectErrorCode(refused, 'BUDGET_EXCEEDED');
      expect(refused.status).toBe(429);
      // The daily limit ($2.5) would take it: the monthly one refused it.
      expect(refused.errors![0]!.message).toMatch(/monthly budget/);
      expect(emulator.calls).toHaveLength(0);
      expectData(await as(secret, DESCRIBE, { input: { image: { base64: image }, maxTokens: 16 } }));
      expect(emulator.calls).toHaveLength(1);
    });

    it('lets an --admin key read the rows of another key', async () => {
      const { describeImage: row } = expectData(
        await as(secret, DESCRIBE, { input: { image: { base64: image }, maxTokens: 16 } }),
      ) as { describeImage: { id: string; apiKeyId: string } };
      const byAdmin = expectData(await as(adminSecret, `{ description(id: "${row.id}") { id apiKeyId } }`));
      expect(byAdmin.description).toEqual(row);
    });
  });

  it('revokes a key by prefix', async () => {
    const revoked = await keys(url, 'revoke', secret.slice(0, 12));
    expect(revoked.join('\n')).toMatch(/revoked .* revoked 20/);
    expect(lineOf(await keys(url, 'list'), 'ci bot')).toMatch(/revoked 20/);
  });
});
