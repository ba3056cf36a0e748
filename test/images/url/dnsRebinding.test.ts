import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinnedAgent } from '../../../src/images/url/createPinnedAgent.js';
import { fetchImageUrlWith, type UrlFetchDeps } from '../../../src/images/url/fetchImageUrl.js';
import { DEFAULT_URL_FETCH_POLICY, type UrlFetchPolicy } from '../../../src/images/url/index.js';
import { refusalOf } from './helpers/expectRefusal.js';
import { createTestCert, startTlsServer, type TestCert, type TlsTestServer } from './helpers/tlsTestServer.js';

// A closed network cannot reach a real public address, so here 127.0.0.1 plays "the
// public internet" and 127.0.0.2 plays "the internal network". Private addresses are
// NOT allowed by the policy: only the classifier is swapped.
const PUBLIC = '127.0.0.1';
const INTERNAL = '127.0.0.2';
const isForbiddenAddress = (address: string) => address !== PUBLIC;

describe('fetchImageUrl: DNS rebinding and the connect-time check', () => {
  let cert: TestCert;
  let png: Buffer;
  let publicServer: TlsTestServer;
  let internalServer: TlsTestServer;
  let policy: UrlFetchPolicy;

  beforeAll(async () => {
    cert = createTestCert();
    png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    internalServer = await startTlsServer(cert, (_req, res) => res.end('internal secret'), INTERNAL);
    publicServer = await startTlsServer(
      cert,
      (req, res) => {
        if (req.url === '/to-internal-ip') {
          return void res.writeHead(302, { location: `https://${INTERNAL}:${internalServer.port}/` }).end();
        }
        if (req.url === '/to-internal-name') {
          return void res.writeHead(302, { location: `https://localhost:${internalServer.port}/` }).end();
        }
        res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      },
      PUBLIC,
    );
    policy = Object.freeze({
      ...DEFAULT_URL_FETCH_POLICY,
      allowedPorts: [publicServer.port, internalServer.port],
      ca: cert.cert,
      timeoutMs: 5_000,
    });
  });

  afterAll(async () => {
    await Promise.all([publicServer.close(), internalServer.close()]);
  });

  /** A resolver giving `answers[i]` on the i-th call (the last one thereafter), counting calls. */
  function rebindingResolver(...answers: string[][]): UrlFetchDeps & { calls: () => number } {
    let calls = 0;
    return {
      isForbiddenAddress,
      resolveHost: (hostname) => {
        expect(hostname).toBe('localhost');
        calls += 1;
        return Promise.resolve(answers[Math.min(calls, answers.length) - 1]!);
      },
      calls: () => calls,
    };
  }

  it('connects to the vetted answer even when the name re-resolves to an internal address', async () => {
    const deps = rebindingResolver([PUBLIC], [INTERNAL]);
    const internalBefore = internalServer.connections();
    const result = await fetchImageUrlWith(`https://localhost:${publicServer.port}/image.png`, policy, deps);
    expect(result.bytes.equals(png)).toBe(true);
    // One resolution, pinned: the socket's own lookup never asks DNS again.
    expect(deps.calls()).toBe(1);
    expect(internalServer.connections()).toBe(internalBefore);
  });

  it('refuses a name when any one of its addresses is internal, before connecting', async () => {
    const deps = rebindingResolver([PUBLIC, INTERNAL]);
    const before = publicServer.connections() + internalServer.connections();
    const error = await refusalOf(fetchImageUrlWith(`https://localhost:${publicServer.port}/`, policy, deps));
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(error.message).not.toContain(INTERNAL);
    expect(publicServer.connections() + internalServer.connections()).toBe(before);
  });

  it('refuses a redirect to an internal address without connecting to it', async () => {
    const deps = rebindingResolver([PUBLIC]);
    const before = internalServer.connections();
    const error = await refusalOf(
      fetchImageUrlWith(`https://${PUBLIC}:${publicServer.port}/to-internal-ip`, policy, deps),
    );
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(internalServer.connections()).toBe(before);
  });

  it('refuses a redirect to a name that resolves internally', async () => {
    const deps = rebindingResolver([INTERNAL]);
    const before = internalServer.connections();
    const error = await refusalOf(
      fetchImageUrlWith(`https://${PUBLIC}:${publicServer.port}/to-internal-name`, policy, deps),
    );
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(internalServer.connections()).toBe(before);
  });

  describe('the pinned connector on its own', () => {
    async function get(agentPins: Record<string, string[]>, forbidden: (a: string) => boolean, url: string) {
      const agent = createPinnedAgent(new Map(Object.entries(agentPins)), {
        isForbidden: forbidden,
        ca: cert.cert,
        timeoutMs: 5_000,
      });
      try {
        return await request(url, { dispatcher: agent }).then(
          async (res) => res.body.text(),
          (error: unknown) => error,
        );
      } finally {
        await agent.destroy();
      }
    }

    it('checks the connected peer after the handshake and hangs up before sending a request', async () => {
      // An IP-literal host skips the socket's lookup, so only the peer check stands here.
      const before = { connections: publicServer.connections(), requests: publicServer.requests() };
      const outcome = await get({ [PUBLIC]: [PUBLIC] }, () => true, `https://${PUBLIC}:${publicServer.port}/`);
      expect(outcome).toMatchObject({ reason: 'IMAGE_URL_FORBIDDEN' });
      expect(publicServer.connections()).toBe(before.connections + 1); // it did connect…
      expect(publicServer.requests()).toBe(before.requests); // …but sent nothing
    });

    it('refuses a peer that is not one of the vetted addresses for the host', async () => {
      const before = publicServer.requests();
      const outcome = await get({ [PUBLIC]: [INTERNAL] }, () => false, `https://${PUBLIC}:${publicServer.port}/`);
      expect(outcome).toMatchObject({ reason: 'IMAGE_URL_FORBIDDEN' });
      expect(publicServer.requests()).toBe(before);
    });

    it('gives a name no address but its pinned ones, and none that is forbidden', async () => {
      const before = publicServer.connections();
      const url = `https://localhost:${publicServer.port}/`;
      expect(await get({}, () => false, url)).toBeInstanceOf(Error); // not pinned: no DNS fallback
      expect(await get({ localhost: [PUBLIC] }, () => true, url)).toMatchObject({ reason: 'IMAGE_URL_FORBIDDEN' });
      expect(publicServer.connections()).toBe(before);
      expect(await get({ localhost: [PUBLIC] }, () => false, url)).toBe(png.toString());
    });
  });
});
