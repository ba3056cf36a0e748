import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

import { BedrockError } from './bedrockError.js';
import type { Closing } from './createClosing.js';

/** A request over either protocol; only what both share is used (method, url, headers, async iteration). */
export type WireRequest = Http2ServerRequest | IncomingMessage;
/** A response over either protocol; only what both share is used (`writeHead`, `end`, state flags). */
export type WireResponse = Http2ServerResponse | ServerResponse;

/**
 * Largest body read. Twenty images of 3.75 MB in base64 come to ~100 MB; anything bigger is refused before it
 * exhausts memory, as the real service refuses oversized requests.
 */
export const MAX_BODY_BYTES = 110 * 1024 * 1024;

/** Coral appends the service namespace to the error type; the SDK strips everything after the colon. */
const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';

/** Reads the whole body, refusing bodies over {@link MAX_BODY_BYTES} with a ValidationException. */
export async function readBody(req: WireRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BedrockError('ValidationException', 'Input is too long for requested model.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Writes a JSON answer. Header names are lower case because HTTP/2 forbids anything else. */
export function writeJson(
  res: WireResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Writes an error the way Bedrock does: status, `x-amzn-errortype`, and a body holding only `message`. */
export function writeError(res: WireResponse, requestId: string, error: BedrockError): void {
  writeJson(
    res,
    error.status,
    { message: error.message },
    { 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.errorType + ERROR_TYPE_SUFFIX },
  );
}

/**
 * Aborted when there is no one left to answer: the response closed (after a complete answer, or as soon as the client
 * resets the stream or drops the connection) or the emulator is closing. Watched from the start of a call, because a
 * client can leave while a delay is still running. The listener on the emulator-wide `closing` goes away with the
 * call instead of piling up, one per call.
 */
export function stopSignal(res: WireResponse, closing: Closing): AbortSignal {
  const stop = new AbortController();
  const unsubscribe = closing.onClose(() => stop.abort());
  (res as EventEmitter).once('close', () => {
    unsubscribe();
    stop.abort();
  });
  return stop.signal;
}
