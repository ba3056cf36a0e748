import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenAddress } from '../../src/auth/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { spawnServer } from '../helpers/spawnServer.js';

describe('where the API listens, with and without keys', () => {
  it('listens on loopback by default in open mode and on every interface once keys exist', () => {
    expect(listenAddress(undefined, false, false)).toEqual({ host: '127.0.0.1' });
    expect(listenAddress('::1', false, false)).toEqual({ host: '::1' });
    expect(listenAddress(undefined, true, false)).toEqual({ host: '0.0.0.0' });
    expect(listenAddress(undefined, true, true)).toEqual({ host: '0.0.0.0' });
    expect(listenAddress('10.0.0.5', true, true)).toEqual({ host: '10.0.0.5' });
  });

  it('refuses an open API on a network address, or in production', () => {
    expect(listenAddress('0.0.0.0', false, false)).toEqual({
      refusal: expect.stringMatching(/0\.0\.0\.0 without authentication/),
    });
    expect(listenAddress('192.168.1.4', false, false)).toHaveProperty('refusal');
    expect(listenAddress(undefined, false, true)).toEqual({ refusal: expect.stringMatching(/NODE_ENV=production/) });
    expect(listenAddress('127.0.0.1', false, true)).toHaveProperty('refusal');
  });
});

describe('the server process without keys', () => {
  let emulator: Emulator;
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    database = await createFreshPostgresDatabase();
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.drop();
  });

  it.each([
    [{ HOST: '0.0.0.0' }, /refusing to listen on 0\.0\.0\.0 without authentication/],
    [{ NODE_ENV: 'production' }, /NODE_ENV=production: refusing to run an open API/],
  ])('refuses to start with %o and says why', { timeout: 120_000 }, async (env, message) => {
    const server = spawnServer({ DATABASE_URL: database.url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, ...env });
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.lines.map((l) => JSON.stringify(l)).join('\n')).toMatch(message);
  });

  it('runs open on 127.0.0.1 and says so at start-up', { timeout: 120_000 }, async () => {
    // HOST empty is HOST unset (spawnServer sets 127.0.0.1 otherwise).
    const server = spawnServer({
      DATABASE_URL: database.url,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
      HOST: '',
    });
    try {
      const origin = await server.ready();
      expect(new URL(origin).hostname).toBe('127.0.0.1');
      expect(server.lines.some((l) => String(l.msg).startsWith('open mode:'))).toBe(true);
    } finally {
      server.kill();
      await server.exited;
    }
  });
});
