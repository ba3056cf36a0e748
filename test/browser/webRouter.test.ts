import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { photoBoardJpeg, solidImage } from '../helpers/images.js';
import { createWebRouter, type PlaygroundMode } from '../../src/web/index.js';
import { AssetRegistry } from '../../src/web/webAssets.js';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const SHA = 'ab'.repeat(32);

let server: Server | undefined;

afterEach(async () => {
  if (server !== undefined) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/** The router in front of a stand-in GraphQL handler that says when a request fell through to it. */
async function serve(playground: PlaygroundMode, images: Record<string, Buffer> = {}): Promise<string> {
  const app = express();
  app.use(
    createWebRouter({ playground, graphqlPath: '/graphql', imageStore: { get: async (sha) => images[sha] ?? null } }),
  );
  app.use('/graphql', (_req, res) => {
    res.json({ handledBy: 'graphql' });
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const assetUrls = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
const importSpecifiers = (js: string) =>
  [...js.matchAll(/^(?:import|export)\b[^'"]*?from\s*'([^']+)'/gm)].map((m) => m[1]!);

describe('Web routes', () => {
  it('serves GraphiQL at /playground and to browsers at /graphql, with every asset from this server', async () => {
    const origin = await serve('graphiql');
    for (const path of ['/playground', '/graphql']) {
      const res = await fetch(origin + path, { headers: BROWSER });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
      const assets = assetUrls(html);
      expect(assets.some((a) => a.startsWith('/assets/graphiql.'))).toBe(true);
      for (const asset of assets) {
        const file = await fetch(origin + asset, { headers: { 'accept-encoding': 'gzip' } });
        expect(file.status, asset).toBe(200);
        expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      }
    }
  });

  it("serves the page's ES modules with every import pointing at a hashed, preloaded asset", async () => {
    const origin = await serve('off');
    const html = await (await fetch(`${origin}/`, { headers: BROWSER })).text();
    const entry = /<script type="module" src="([^"]+)"/.exec(html)![1]!;
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]!);
    // main.js → the page's modules; api.js → streamClient.js → graphql-ws's browser client →
    // its shared chunk; dashboard.js → Chart.js → its helpers chunk and @kurkle/color.
    const names = preloaded.map((url) =>
      url
        .replace(/^\/assets\//, '')
        .replace(/\.[0-9a-f]{10}\.js$/, '')
        // The chunk's own name carries a hash of graphql-ws's build.
        .replace(/^common-\w+$/, 'common-<hash>'),
    );
    expect(names.sort()).toEqual(
      [
        ...['api', 'catalog', 'dashboard', 'dashboardData', 'days', 'describeForm', 'describeResult', 'dom'],
        ...['format', 'historyTable', 'imagePicker', 'modelChoice', 'operations', 'pageConfig', 'recordDialog'],
        'streamClient',
        ...['graphql-ws-client', 'common-<hash>', 'chart.js', 'index', 'kurkle-color'],
      ].sort(),
    );
    const seen = new Set<string>();
    for (const url of [entry, ...preloaded]) {
      const res = await fetch(origin + url);
      expect(res.headers.get('content-type'), url).toBe('text/javascript; charset=utf-8');
      for (const specifier of importSpecifiers(await res.text())) {
        expect(preloaded, `${url} imports ${specifier}`).toContain(specifier);
        seen.add(specifier);
      }
    }
    expect([...seen].sort()).toEqual([...preloaded].sort());
  });

  it('refuses, at start-up, a module import it cannot map or an import cycle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bvg-modules-'));
    try {
      writeFileSync(join(dir, 'a.js'), "import { b } from './b.js';\nexport const a = b;\n");
      writeFileSync(join(dir, 'b.js'), "import { a } from './a.js';\nexport const b = 1;\n");
      writeFileSync(join(dir, 'bare.js'), "import { x } from 'left-pad';\n// import y from 'in-a-comment';\n");
      writeFileSync(join(dir, 'ok.js'), 'const s = "import z from \'in-a-string\'";\nexport { s };\n');
      const assets = new AssetRegistry();
      expect(() => assets.addModule('a', join(dir, 'a.js'))).toThrow(/Import cycle: .*a\.js → .*b\.js → .*a\.js/);
      expect(() => assets.addModule('bare', join(dir, 'bare.js'))).toThrow(/imports 'left-pad', which has no mapping/);
      expect(assets.addModule('ok', join(dir, 'ok.js'))).toEqual({
        url: expect.stringMatching(/^\/assets\/ok\./),
        imports: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves GET /graphql to the GraphQL handler unless HTML is preferred', async () => {
    const origin = await serve('graphiql');
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json, text/html;q=0.5']) {
      const res = await fetch(`${origin}/graphql`, { headers: { accept } });
      expect(await res.json(), accept).toEqual({ handledBy: 'graphql' });
    }
  });

  it('serves Apollo Sandbox from its CDN with PLAYGROUND=sandbox', async () => {
    const origin = await serve('sandbox');
    const html = await (await fetch(`${origin}/playground`, { headers: BROWSER })).text();
    expect(html).toContain('https://embeddable-sandbox.cdn.apollographql.com/');
    expect(html).toContain('EmbeddedSandbox');
  });

  it('serves no playground with PLAYGROUND=off, and the page still works', async () => {
    const origin = await serve('off');
    expect((await fetch(`${origin}/playground`, { headers: BROWSER })).status).toBe(404);
    expect(await (await fetch(`${origin}/graphql`, { headers: BROWSER })).json()).toEqual({ handledBy: 'graphql' });
    const page = await (await fetch(`${origin}/`, { headers: BROWSER })).text();
    expect(page).toContain('id="app-config"');
    expect(page).not.toContain('href="/playground"');
  });

  it('serves the sample photo', async () => {
    const origin = await serve('off');
    const res = await fetch(`${origin}/sample/photo-board.jpg`);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(photoBoardJpeg())).toBe(true);
  });

  it('serves stored images with the type their bytes show, and 404 for anything else', async () => {
    const png = await solidImage(4, 4, 'png');
    const origin = await serve('off', { [SHA]: png, ['cd'.repeat(32)]: Buffer.from('<svg/>') });
    const res = await fetch(`${origin}/images/${SHA}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    for (const path of ['ef'.repeat(32), 'cd'.repeat(32), 'not-a-sha', SHA.toUpperCase()]) {
      expect((await fetch(`${origin}/images/${path}`)).status, path).toBe(404);
    }
  });
});
