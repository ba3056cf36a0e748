import { constants } from 'node:http2';
import type { Http2ServerResponse } from 'node:http2';

import type { WireResponse } from './wire.js';

/**
 * Resets the answer the way a failing network or load balancer does: over HTTP/2 an RST_STREAM (INTERNAL_ERROR) for
 * this call only, so other calls on the session live on; over HTTP/1.1 a TCP reset of the connection. Whatever was
 * written before is handed to the socket first, so a client sees the part of the answer that got through.
 */
export async function resetResponse(res: WireResponse): Promise<void> {
  await flushed(res);
  if ('stream' in res) {
    (res as Http2ServerResponse).stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const { socket } = res;
  if (socket === null) return;
  socket.resetAndDestroy();
}

/** Resolves once what was written is out of the response's buffers, and the socket had a turn to send it. */
async function flushed(res: WireResponse): Promise<void> {
  if (res.headersSent)
    await new Promise<void>((resolve) => (res as { write(c: string, cb: () => void): void }).write('', resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
