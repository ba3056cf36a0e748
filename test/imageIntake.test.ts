import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData, expectErrorCode } from './helpers/graphqlClient.js';
import { photoBoardJpeg, solidImage, toBase64 } from './helpers/images.js';
import { COUNT } from './helpers/operations.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';
import { animatedGif, noise, pngWithHeader } from './images/normalize/fixtures.js';
import { createTestCert, startTlsServer, type TlsTestServer } from './images/url/helpers/tlsTestServer.js';

const DESCRIBE_IMAGES = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      images {
        sha256
        mediaType
        width
        height
        byteSize
        estimatedTokens
        source
        original {
          mediaType
          width
          height
          byteSize
        }
      }
    }
  }
`;

/** The images the emulator received in its last Converse call, decoded. */
function sentImages(t: TestApp): Buffer[] {
  const body = t.emulator.calls.at(-1)!.body as {
    messages: { content: { image?: { source: { bytes: string } } }[] }[];
  };
  return body.messages[0]!.content.filter((c) => c.image !== undefined).map((c) =>
    Buffer.from(c.image!.source.bytes, 'base64'),
  );
}

/** A 12 MP phone photo stored sideways: a red block in the stored top-left, EXIF orientation 6. */
async function sidewaysPhoto(): Promise<Buffer> {
  const red = await sharp({ create: { width: 600, height: 600, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([{ input: red, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

describe.each(DATABASES)('image intake through the API on %s', (kind) => {
  const cert = createTestCert();
  const storeDir = mkdtempSync(join(tmpdir(), 'bvg-images-'));
  let t: TestApp;
  let imageHost: TlsTestServer;
  let hostedPng: Buffer;

  beforeAll(async () => {
    hostedPng = await solidImage(50, 40, 'png', { r: 10, g: 200, b: 10 });
    imageHost = await startTlsServer(cert, (req, res) => {
      if (req.url === '/photo.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(hostedPng);
      } else {
        res.writeHead(404).end();
      }
    });
    // Test-only policy: the image host is on loopback with its own certificate.
    t = await startTestApp(kind, {
      images: {
        store: { kind: 'file', dir: storeDir },
        url: {
          allowedPorts: [imageHost.port],
          maxBytes: 5 * 1024 * 1024,
          timeoutMs: 5_000,
          maxRedirects: 3,
          allowPrivateAddresses: true,
          ca: cert.cert,
        },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await imageHost?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  it('fetches an https URL and records it as a URL source', async () => {
    const url = `https://127.0.0.1:${imageHost.port}/photo.png`;
    const d = expectData(await t.gql(DESCRIBE_IMAGES, { input: { image: { url } } })).describeImage;
    expect(d.status).toBe('SUCCEEDED');
    expect(d.images[0]).toMatchObject({ source: 'URL', mediaType: 'image/png', width: 50, height: 40 });
    expect(sentImages(t)[0]!.equals(hostedPng)).toBe(true);
  });

  it('answers a URL that cannot be fetched with the generic IMAGE_FETCH_FAILED, without a row', async () => {
    const before = expectData(await t.gql(COUNT)).history.totalCount;
    const res = await t.gql(DESCRIBE_IMAGES, {
      input: { image: { url: `https://127.0.0.1:${imageHost.port}/missing.png` } },
    });
    expectErrorCode(res, 'BAD_USER_INPUT', 'IMAGE_FETCH_FAILED');
    expect(res.errors![0]!.message).not.toContain('404');
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(before);
  });

  it('takes a multipart upload when the client sends Apollo-Require-Preflight', async () => {
    const photo = photoBoardJpeg();
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: DESCRIBE_IMAGES, variables: { input: { image: { upload: null } } } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.input.image.upload'] }));
    form.append('0', new Blob([photo], { type: 'image/jpeg' }), 'photo-board.jpg');
    const res = await fetch(t.url, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true' } });
    const body = (await res.json()) as { data: { describeImage: any } };
    expect(body.data.describeImage.images[0]).toMatchObject({
      source: 'UPLOAD',
      width: 720,
      height: 477,
      byteSize: photo.length,
    });
    expect(sentImages(t)[0]!.equals(photo)).toBe(true);
  });

  it('refuses a multipart upload without the CSRF preflight header, before any model call', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: DESCRIBE_IMAGES, variables: { input: { image: { upload: null } } } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.input.image.upload'] }));
    form.append('0', new Blob([photoBoardJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await fetch(t.url, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(t.emulator.calls).toHaveLength(0);
  });

  it('sends an EXIF-rotated 12 MP photo to the model upright and within 1568 px', async () => {
    const photo = await sidewaysPhoto();
    const d = expectData(await t.gql(DESCRIBE_IMAGES, { input: { image: { base64: toBase64(photo) } } })).describeImage;
    expect(d.images[0]).toMatchObject({ width: 1176, height: 1568, estimatedTokens: Math.ceil((1176 * 1568) / 750) });
    expect(d.images[0].original).toEqual({
      mediaType: 'image/jpeg',
      width: 3000,
      height: 4000,
      byteSize: photo.length,
    });
    const sent = sentImages(t)[0]!;
    const { data, info } = await sharp(sent).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1176, 1568]);
    // Orientation 6 turns the stored top-left corner into the top-right one.
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [r, g, b] = pixel(info.width - 20, 20);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const [gr] = pixel(20, 20);
    expect(gr).toBeLessThan(160);
  });

  it('sends an image that needs no change byte for byte, and keeps bytes as received with normalize NONE', async () => {
    const photo = photoBoardJpeg();
    expectData(await t.gql(DESCRIBE_IMAGES, { input: { image: { base64: toBase64(photo) } } }));
    expect(sentImages(t)[0]!.equals(photo)).toBe(true);

    const large = await solidImage(2000, 1000, 'png');
    const d = expectData(
      await t.gql(DESCRIBE_IMAGES, { input: { image: { base64: toBase64(large) }, normalize: 'NONE' } }),
    ).describeImage;
    expect(d.images[0]).toMatchObject({ width: 2000, height: 1000 });
    expect(sentImages(t)[0]!.equals(large)).toBe(true);
  });

  it('keeps the bytes sent under their sha256 when IMAGE_STORE is set, and finds every request that used them', async () => {
    const png = await solidImage(33, 33, 'png', { r: 1, g: 2, b: 3 });
    const first = expectData(
      await t.gql(DESCRIBE_IMAGES, { input: { image: { base64: toBase64(png) } } }),
    ).describeImage;
    const second = expectData(
      await t.gql(DESCRIBE_IMAGES, { input: { image: { base64: toBase64(png) }, prompt: 'Again?' } }),
    ).describeImage;
    const sha256: string = first.images[0].sha256;
    expect(second.images[0].sha256).toBe(sha256);
    const path = join(storeDir, sha256.slice(0, 2), sha256);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).equals(png)).toBe(true);

    const q = `query($sha: String!) { image(sha256: $sha) { sha256 width height bytesStored estimatedTokens }
                history(filter: { imageSha256: $sha }) { edges { node { id } } } }`;
    const data = expectData(await t.gql(q, { sha: sha256 }));
    expect(data.image).toEqual({ sha256, width: 33, height: 33, bytesStored: true, estimatedTokens: 2 });
    expect(data.history.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([second.id, first.id]);
    expectErrorCode(await t.gql(`{ image(sha256: "xyz") { sha256 } }`), 'BAD_USER_INPUT', 'SHA256_INVALID');
  });
});

describe('image intake refusals', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  });
  afterAll(async () => {
    await t?.stop();
  });
  beforeEach(() => {
    t.emulator.resetCalls();
  });

  async function expectRefused(image: Record<string, unknown>, reason: string): Promise<void> {
    const res = await t.gql(DESCRIBE_IMAGES, { input: { image } });
    expectErrorCode(res, 'BAD_USER_INPUT', reason);
    expect(t.emulator.calls).toHaveLength(0);
    expect(expectData(await t.gql(COUNT)).history.totalCount).toBe(0);
  }

  it('refuses URLs that point at the server or the network behind it', async () => {
    for (const url of [
      'http://example.com/a.png',
      'https://127.0.0.1/a.png',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/a.png',
      'https://[::ffff:10.0.0.1]/a.png',
      'https://user:secret@example.com/a.png',
      'https://example.com:8443/a.png',
      'https://localhost/a.png',
    ]) {
      await expectRefused({ url }, 'IMAGE_URL_FORBIDDEN');
    }
  });

  it('refuses an image with two sources', async () => {
    await expectRefused({ url: 'https://example.com/a.png', base64: 'iVBORw0KGgo=' }, 'IMAGE_SOURCE_INVALID');
  });

  it('refuses a decompression bomb, an oversized side, a truncated image and a polyglot', async () => {
    // A 30000×30000 PNG header with almost no data: refused from the header, never decoded.
    await expectRefused({ base64: toBase64(pngWithHeader(30_000, 30_000)) }, 'IMAGE_DIMENSIONS');
    const wide = await sharp({ create: { width: 9000, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await expectRefused({ base64: toBase64(wide) }, 'IMAGE_DIMENSIONS');
    const jpeg = photoBoardJpeg();
    await expectRefused({ base64: toBase64(jpeg.subarray(0, jpeg.length / 2)) }, 'IMAGE_INVALID');
    const png = await solidImage(10, 10);
    const polyglot = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]);
    await expectRefused({ base64: toBase64(polyglot) }, 'IMAGE_INVALID');
  });

  it('refuses a lossless image still over 3.75 MB after downscaling, and an animation with too many frames', async () => {
    const heavyPng = await noise(1500, 1500).png({ compressionLevel: 0 }).toBuffer();
    expect(heavyPng.length).toBeGreaterThan(3.75 * 1024 * 1024);
    await expectRefused({ base64: toBase64(heavyPng) }, 'IMAGE_TOO_LARGE');
    const frames = Array.from({ length: 101 }, (_, i) => (i % 2 === 0 ? '#ff0000' : '#0000ff'));
    await expectRefused({ base64: toBase64(await animatedGif(frames, 8, 8)) }, 'IMAGE_DIMENSIONS');
  });

  it('refuses SVG, PDF and TIFF whatever they are called', async () => {
    await expectRefused(
      { base64: toBase64(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')) },
      'IMAGE_UNSUPPORTED',
    );
    await expectRefused({ base64: toBase64(Buffer.from('%PDF-1.7\n%âãÏÓ')) }, 'IMAGE_UNSUPPORTED');
    const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .tiff()
      .toBuffer();
    await expectRefused({ base64: `data:image/png;base64,${toBase64(tiff)}` }, 'IMAGE_UNSUPPORTED');
  });

  it('answers a body larger than 20 full-size images with HTTP 413 and a JSON error', async () => {
    const huge = 'A'.repeat(106 * 1024 * 1024);
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"mutation { describeImage(input: { image: { base64: \\"${huge}\\" } }) { id } }"}`,
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(t.emulator.calls).toHaveLength(0);
  });
});
