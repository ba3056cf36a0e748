import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

const TRUSTED = 'https://app.example.com';
const EVIL = 'https://evil.example';

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

const post = (url: string, origin: string) =>
  fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

describe('CORS', () => {
  describe('by default', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('pglite');
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('allows no other origin: no preflight allowance, no readable response', async () => {
      const allowed = await preflight(t.url, EVIL);
      expect(allowed.headers.get('access-control-allow-origin')).toBeNull();
      expect(allowed.headers.get('access-control-allow-headers')).toBeNull();
      expect((await post(t.url, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
      const exportUrl = t.url.replace(/\/graphql$/, '/export/history.ndjson');
      expect(
        (await fetch(exportUrl, { headers: { origin: EVIL } })).headers.get('access-control-allow-origin'),
      ).toBeNull();
    });
  });

  describe('with CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp('pglite', { config: { http: { ...loadConfig({}).http, corsOrigins: [TRUSTED] } } });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('answers a listed origin’s preflight and names it on responses', async () => {
      const res = await preflight(t.url, TRUSTED);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(TRUSTED);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
      const answered = await post(t.url, TRUSTED);
      expect(answered.status).toBe(200);
      expect(answered.headers.get('access-control-allow-origin')).toBe(TRUSTED);
      expect(answered.headers.get('vary')).toMatch(/origin/i);
    });

    it('still allows no other origin', async () => {
      expect((await preflight(t.url, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
      expect((await post(t.url, EVIL)).headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('CORS_ORIGINS configuration', () => {
  it('refuses an entry that is not an origin', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: `${TRUSTED}, http://localhost:5173` }).http.corsOrigins).toEqual([
      TRUSTED,
      'http://localhost:5173',
    ]);
  });
});
