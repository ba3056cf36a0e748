import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_URL_FETCH_POLICY, fetchImageUrl, type UrlFetchPolicy } from '../../../src/images/url/index.js';
import { refusalOf } from './helpers/expectRefusal.js';
import { createTestCert, startTlsServer, type TestCert, type TlsTestServer } from './helpers/tlsTestServer.js';

const GENERIC = 'The image could not be fetched from the URL';
const MAX_BYTES = 64 * 1024;

/** Resolves when an endless body's connection closes, with whether the server ever finished it. */
interface EndlessBody {
  readonly closed: Promise<{ finished: boolean; written: number }>;
}

describe('fetchImageUrl against a local HTTPS server', () => {
  let cert: TestCert;
  let server: TlsTestServer;
  let png: Buffer;
  let policy: UrlFetchPolicy;
  const endless: EndlessBody[] = [];

  function streamForever(res: ServerResponse, headers: Record<string, string | number>): void {
    let written = 0;
    const chunk = Buffer.alloc(16 * 1024, 0x42);
    endless.push({
      closed: new Promise((resolve) => res.on('close', () => resolve({ finished: res.writableFinished, written }))),
    });
    res.writeHead(200, { 'content-type': 'image/png', ...headers });
    const pump = () => {
      // Bounded so a broken client cannot hang the suite; 256 MiB is far over any cap used here.
      while (!res.destroyed && written < 256 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  }

  beforeAll(async () => {
    cert = createTestCert();
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c0ffee' } })
      .png()
      .toBuffer();
    server = await startTlsServer(cert, (req, res, port) => {
      const path = req.url ?? '/';
      const hops = /^\/hops\/(\d+)$/.exec(path);
      if (hops) {
        const left = Number(hops[1]);
        if (left > 0) return void res.writeHead(302, { location: `/hops/${left - 1}` }).end();
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      }
      switch (path) {
        case '/image.png':
          return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        case '/to-http':
          return void res.writeHead(301, { location: `http://127.0.0.1:${port}/image.png` }).end();
        case '/to-other-port':
          return void res.writeHead(307, { location: `https://127.0.0.1:${port + 1}/image.png` }).end();
        case '/to-credentials':
          return void res.writeHead(302, { location: `https://user:pw@127.0.0.1:${port}/image.png` }).end();
        case '/missing':
          return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such image on 10.0.0.7');
        case '/empty':
          return void res.writeHead(200, { 'content-type': 'image/png' }).end();
        case '/endless-chunked':
          return streamForever(res, {});
        case '/declared-too-large':
          return streamForever(res, { 'content-length': 100 * 1024 * 1024 });
        case '/stall':
          return; // never answers
        case '/stall-body':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
          return void res.write(png.subarray(0, 10)); // then nothing more
        default:
          return void res.writeHead(500).end();
      }
    });
    policy = Object.freeze({
      ...DEFAULT_URL_FETCH_POLICY,
      allowPrivateAddresses: true,
      allowedPorts: [server.port],
      ca: cert.cert,
      maxBytes: MAX_BYTES,
      timeoutMs: 5_000,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const url = (path: string) => `https://127.0.0.1:${server.port}${path}`;

  it('fetches a PNG byte for byte, with its declared type, over a verified TLS connection', async () => {
    const result = await fetchImageUrl(url('/image.png'), policy);
    expect(result.bytes.equals(png)).toBe(true);
    expect(result.contentType).toBe('image/png');
    expect(result.finalUrl).toBe(url('/image.png'));
  });

  it('verifies the certificate against the host name, not just the address', async () => {
    const result = await fetchImageUrl(`https://localhost:${server.port}/image.png`, policy);
    expect(result.bytes.equals(png)).toBe(true);
  });

  it('fails generically when the certificate is not trusted', async () => {
    const error = await refusalOf(fetchImageUrl(url('/image.png'), { ...policy, ca: undefined }));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
  });

  it('follows a chain of maxRedirects (3) redirects, resolving relative Locations', async () => {
    const result = await fetchImageUrl(url('/hops/3'), policy);
    expect(result.bytes.equals(png)).toBe(true);
    expect(result.finalUrl).toBe(url('/hops/0'));
  });

  // A redirect chain is the remote host's behaviour, not the client's URL, so it gets
  // the generic failure like every other remote misbehaviour.
  it('fails generically on one redirect more than maxRedirects', async () => {
    const error = await refusalOf(fetchImageUrl(url('/hops/4'), policy));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
    expect(await fetchImageUrl(url('/hops/4'), { ...policy, maxRedirects: 4 })).toMatchObject({
      finalUrl: url('/hops/0'),
    });
  });

  it.each([
    ['/to-http', /only https/],
    ['/to-other-port', /port \d+ is not allowed/],
    ['/to-credentials', /credentials/],
  ])('applies every URL rule again to a redirect (%s)', async (path, message) => {
    const error = await refusalOf(fetchImageUrl(url(path), policy));
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(error.message).toMatch(message);
  });

  it('fails generically on a 404, without the status or the body', async () => {
    const error = await refusalOf(fetchImageUrl(url('/missing'), policy));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
    expect(error.cause).toBeInstanceOf(Error); // the status is kept for the log
  });

  it('fails generically on an empty body', async () => {
    const error = await refusalOf(fetchImageUrl(url('/empty'), policy));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
  });

  it('accepts a body of exactly maxBytes and refuses one byte more', async () => {
    const exact = await fetchImageUrl(url('/image.png'), { ...policy, maxBytes: png.length });
    expect(exact.bytes.equals(png)).toBe(true);
    const error = await refusalOf(fetchImageUrl(url('/image.png'), { ...policy, maxBytes: png.length - 1 }));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
  });

  // A Content-Length lower than the body cannot pass the cap: HTTP framing ends the body
  // at the declared length. What the cap must survive is no length at all (chunked).
  it.each([
    ['/endless-chunked', /Body over/],
    ['/declared-too-large', /Content-Length over/],
  ])('stops reading %s at maxBytes and closes the connection', async (path, why) => {
    const before = endless.length;
    const error = await refusalOf(fetchImageUrl(url(path), policy));
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
    expect((error.cause as Error).message).toMatch(why);
    expect(endless.length).toBe(before + 1);
    const seen = await endless[before]!.closed;
    expect(seen.finished).toBe(false); // the client hung up, the server never got to the end
    expect(seen.written).toBeLessThan(64 * 1024 * 1024);
  });

  it.each(['/stall', '/stall-body'])('gives up on %s after timeoutMs', async (path) => {
    const started = Date.now();
    const error = await refusalOf(fetchImageUrl(url(path), { ...policy, timeoutMs: 300 }));
    const elapsed = Date.now() - started;
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("stops when the caller's signal aborts and rethrows the caller's reason", async () => {
    const reason = new Error('client went away');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    await expect(fetchImageUrl(url('/stall'), policy, controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('gives the same message for a refused connection as for everything else', async () => {
    const closedPort = server.port + 1;
    const error = await refusalOf(
      fetchImageUrl(`https://127.0.0.1:${closedPort}/image.png`, { ...policy, allowedPorts: [closedPort] }),
    );
    expect(error.reason).toBe('IMAGE_FETCH_FAILED');
    expect(error.message).toBe(GENERIC);
  });

  it('refuses the same server under the default policy before connecting to it', async () => {
    const before = server.connections();
    const strict = { ...DEFAULT_URL_FETCH_POLICY, allowedPorts: [server.port], ca: cert.cert };
    for (const target of [url('/image.png'), `https://localhost:${server.port}/image.png`]) {
      const error = await refusalOf(fetchImageUrl(target, strict));
      expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    }
    expect(server.connections()).toBe(before);
  });
});
