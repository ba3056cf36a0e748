import type { Readable } from 'node:stream';

/**
 * Reads a response body, giving up the moment it passes `maxBytes`. Content-Length
 * is a claim by the remote host, so the cap is enforced on the bytes as they arrive;
 * destroying the stream closes the connection, so an endless body costs at most one
 * chunk over the cap. Returns undefined when the cap was passed.
 */
export async function readCappedBody(body: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      body.on('error', () => undefined).destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
