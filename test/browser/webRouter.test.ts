import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { photoBoardJpeg, solidImage } from '../helpers/images.js';
import { createWebRouter, type PlaygroundMode } from '../../src/web/index.js';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const SHA = 'ab'.repeat(32);

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
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
