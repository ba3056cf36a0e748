import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { gql } from '../helpers/graphqlClient.js';
import { spawnServer } from '../helpers/spawnServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = fileURLToPath(new URL('../helpers/registerTsLoader.mjs', import.meta.url));
const run = promisify(execFile);

/** `npm run keys -- …` as a user runs it (from the TypeScript sources, as the other process tests do). */
async function keys(databaseUrl: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', LOADER, 'src/cli/keys.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: databaseUrl },
  });
  return stdout.trim().split('\n');
}

describe('npm run keys', () => {
  const dirs: string[] = [];
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const drop of drops) await drop();
  });

  it.each(['pglite', 'postgres'] as const)(
    'creates, lists and revokes keys on %s, printing the secret once and storing only its hash',
    { timeout: 180_000 },
    async (kind) => {
      let url: string;
      if (kind === 'pglite') {
        const dir = mkdtempSync(join(tmpdir(), 'bvg-keys-'));
        dirs.push(dir);
        url = `file:${dir}`;
      } else {
        const db = await createFreshPostgresDatabase();
        drops.push(db.drop);
        url = db.url;
      }
      const created = await keys(url, 'create', '--name', 'ci bot', '--rpm', '60', '--daily-usd', '2.5');
      const secret = created.at(-1)!;
      expect(secret).toMatch(/^bvg_[a-z2-7]{8}_[A-Za-z0-9_-]{32}$/);
      const prefix = secret.slice(0, 12);
      const listed = (await keys(url, 'list')).join('\n');
      expect(listed).toContain(prefix);
      expect(listed).toContain('"ci bot"');
      expect(listed).toContain('today $0 of $2.5');
      expect(listed).not.toContain(secret);

      if (kind === 'postgres') {
        // What the database holds: the hash and the public prefix, never the secret.
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query('SELECT * FROM api_key');
        await client.end();
        expect(rows).toHaveLength(1);
        expect(rows[0].secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
        expect(JSON.stringify(rows)).not.toContain(secret.slice(13));
      }

      // A server on that database takes the key and refuses requests without it.
      const emulator = await startEmulator({ port: 0 });
      const server = spawnServer({ DATABASE_URL: url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
      try {
        const origin = await server.ready();
        const ask = (headers: Record<string, string>) => gql(`${origin}/graphql`, '{ models { id } }', {}, headers);
        expect((await ask({ authorization: `Bearer ${secret}` })).status).toBe(200);
        expect((await ask({})).status).toBe(401);
      } finally {
        server.kill();
        await server.exited;
        await emulator.close();
      }

      const revoked = await keys(url, 'revoke', prefix);
      expect(revoked.join('\n')).toMatch(/revoked .* revoked 20/);
      expect((await keys(url, 'list')).join('\n')).toMatch(/revoked 20/);
    },
  );
});
