import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_LIMITS } from '../../src/graphql/index.js';
import { solidImage } from '../helpers/images.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

/** A gzip body of about 100 KB that inflates to 100 MB of JSON-looking spaces. */
const GZIP_BOMB = gzipSync(Buffer.concat([Buffer.from('{"query":"{ __typename }","x":"'), Buffer.alloc(100e6, 0x20)]));

const postRaw = (url: string, body: Buffer, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

interface RawAnswer {
  readonly status: number;
  readonly body: string;
  /** The most bytes graphql-upload's spool files held at once while the upload ran. */
  readonly maxSpooled: number;
}

/** Bytes in the spool files (fs-capacitor writes them to os.tmpdir(), which this worker points at `dir`). */
const spooled = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.startsWith('capacitor-'))
    .reduce((sum, name) => {
      try {
        return sum + statSync(join(dir, name)).size;
      } catch {
        return sum; // released meanwhile
      }
    }, 0);

/**
 * Sends `head`, then `fileBytes` of file content in 64 KiB chunks, then the end of the
 * multipart body, as a client uploading a large file does, and reads the answer; meanwhile it
 * watches how much of the upload the server spooled to disk.
 */
function upload(url: string, head: string, fileBytes: number, boundary: string, dir: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let maxSpooled = 0;
    let sent = 0;
    const chunk = Buffer.from(chunked(Buffer.alloc(64 * 1024, 1)));
    const watch = setInterval(() => (maxSpooled = Math.max(maxSpooled, spooled(dir))), 5);
    const pump = () => {
      while (sent < fileBytes && !socket.destroyed) {
        sent += 64 * 1024;
        if (!socket.write(chunk)) {
          socket.once('drain', () => setTimeout(pump, 2));
          return;
        }
      }
      if (!socket.destroyed) socket.write(`${chunked(`\r\n--${boundary}--\r\n`)}0\r\n\r\n`);
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (data) => {
      received += data.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/content-length: (\d+)/i.exec(received)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      clearInterval(watch);
      maxSpooled = Math.max(maxSpooled, spooled(dir));
      socket.destroy();
      resolve({ status: Number(received.slice(9, 12)), body: received.slice(end + 4, end + 4 + length), maxSpooled });
    });
    socket.on('error', (error) => {
      clearInterval(watch);
      reject(error);
    });
  });
}

function multipartHead(url: string, boundary: string, operations: unknown, map: unknown): string {
  const { host } = new URL(url);
  const part = (name: string, value: string) =>
    `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return (
    `POST /graphql HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\napollo-require-preflight: true\r\n` +
    `content-type: multipart/form-data; boundary=${boundary}\r\ntransfer-encoding: chunked\r\n\r\n`
  ).concat(
    chunked(
      part('operations', JSON.stringify(operations)) +
        part('map', JSON.stringify(map)) +
        `--${boundary}\r\ncontent-disposition: form-data; name="0"; filename="a.png"\r\ncontent-type: image/png\r\n\r\n`,
    ),
  );
}

const chunked = (text: string | Buffer) => {
  const bytes = Buffer.from(text);
  return `${bytes.length.toString(16)}\r\n${bytes.toString('latin1')}\r\n`;
};

describe('request bodies from a hostile client', () => {
  let t: TestApp;
  let spoolDir: string;

  beforeAll(async () => {
    // graphql-upload spools files to os.tmpdir(): this worker's own folder, so the tests can watch it.
    spoolDir = mkdtempSync(join(tmpdir(), 'bvg-spool-'));
    process.env.TMPDIR = spoolDir;
    t = await startTestApp('pglite');
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('refuses a gzip bomb by its inflation ratio, without inflating it', async () => {
    expect(GZIP_BOMB.length).toBeLessThan(200_000);
    const res = await postRaw(t.url, GZIP_BOMB, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.errors[0]!.message).toMatch(/inflates more than \d+ times/);
  });

  it('survives 32 gzip bombs at once and still answers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 32 }, () => postRaw(t.url, GZIP_BOMB, { 'content-encoding': 'gzip' })),
    );
    // Each is refused: by its ratio, or at once by admission (buffered-bytes bound) when many arrive together.
    for (const res of answers) expect([413, 503]).toContain(res.status);
    expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('takes an ordinary compressed body, gzip or brotli', async () => {
    const json = Buffer.from(JSON.stringify({ query: '{ __typename }' }));
    for (const [encoding, body] of [
      ['gzip', gzipSync(json)],
      ['br', brotliCompressSync(json)],
    ] as const) {
      const res = await postRaw(t.url, body, { 'content-encoding': encoding });
      expect(res.status, encoding).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('refuses an unknown content encoding with a JSON error', async () => {
    const res = await postRaw(t.url, Buffer.from('{}'), { 'content-encoding': 'zstd-x' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses a document over the byte cap before parsing it, over POST and GET', async () => {
    const whitespace = `{ __typename ${' '.repeat(OPERATION_LIMITS.maxDocumentBytes)}}`;
    const res = await postRaw(t.url, Buffer.from(JSON.stringify({ query: whitespace })), {});
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toContain(`larger than ${OPERATION_LIMITS.maxDocumentBytes} bytes`);
  });

  it('refuses 21 files from the multipart map, before any file, with a message that says so', async () => {
    const map = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [String(i), [`variables.files.${i}`]]));
    const operations = {
      query: 'mutation($files: [Upload!]!) { __typename }',
      variables: { files: Array(21).fill(null) },
    };
    const answer = await upload(t.url, multipartHead(t.url, 'b0undary', operations, map), 4e6, 'b0undary', spoolDir);
    expect(answer.status).toBe(400);
    const error = JSON.parse(answer.body).errors[0];
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_IMAGES' });
    expect(error.message).toBe('At most 20 files can be uploaded in one request');
    expect(answer.maxSpooled).toBe(0);
  });

  it('stops spooling a multipart upload once it has refused the operation', async () => {
    const operations = {
      query: 'mutation($file: Upload!) { describeImage(input: { image: { upload: $file }, prompt: " " }) { id } }',
      variables: { file: null },
    };
    const head = multipartHead(t.url, 'b0undary', operations, { 0: ['variables.file'] });
    const answer = await upload(t.url, head, 16e6, 'b0undary', spoolDir);
    expect(JSON.parse(answer.body).errors[0].extensions.reason).toBe('PROMPT_INVALID');
    // Without the guard all 16 MB were written to disk before the answer went out.
    expect(answer.maxSpooled).toBeLessThan(2e6);
  });

  it('still reads an upload the operation uses', async () => {
    const png = await solidImage(8, 8);
    const operations = {
      query: 'mutation($file: Upload!) { describeImage(input: { image: { upload: $file } }) { status } }',
      variables: { file: null },
    };
    const form = new FormData();
    form.append('operations', JSON.stringify(operations));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([png], { type: 'image/png' }), 'a.png');
    const res = await fetch(t.url, { method: 'POST', headers: { 'apollo-require-preflight': 'true' }, body: form });
    expect(await res.json()).toEqual({ data: { describeImage: { status: 'SUCCEEDED' } } });
  });
});
