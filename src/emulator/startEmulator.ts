import type { AddressInfo, Socket } from 'node:net';

import { createClosing } from './createClosing.js';
import { createDualProtocolServer } from './createDualProtocolServer.js';
import { createImageInspector } from './createImageInspector.js';
import type { EmulatorState } from './emulatorState.js';
import { createFaultQueue } from './faults.js';
import { createRequestHandler } from './handleRequest.js';
import type { Emulator, EmulatorOptions } from './types.js';

/** Short enough to keep tests quick, long enough that a client really receives text in pieces over time. */
const DEFAULT_STREAM_CHUNK_DELAY_MS = 10;

/** More calls than a test makes between two resets, few enough that a long run's record stays small. */
const DEFAULT_MAX_RECORDED_CALLS = 1000;

/**
 * Starts a local Bedrock Runtime that the unchanged AWS SDK can call. It speaks HTTP/2 cleartext because the SDK's
 * default handler is HTTP/2, and HTTP/1.1 on the same port so curl, fetch and an HTTP/1 handler also work.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const latencyMs = options.latencyMs ?? 0;
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0, got ${latencyMs}`);
  const streamChunkDelayMs = options.streamChunkDelayMs ?? DEFAULT_STREAM_CHUNK_DELAY_MS;
  if (!(Number.isFinite(streamChunkDelayMs) && streamChunkDelayMs >= 0)) {
    throw new RangeError(`streamChunkDelayMs must be >= 0, got ${streamChunkDelayMs}`);
  }
  const maxCalls = options.maxRecordedCalls ?? DEFAULT_MAX_RECORDED_CALLS;
  if (!(maxCalls === Infinity || (Number.isInteger(maxCalls) && maxCalls >= 0))) {
    throw new RangeError(`maxRecordedCalls must be a non-negative integer or Infinity, got ${maxCalls}`);
  }
  const { closing, close: closeCalls } = createClosing();
  const state: EmulatorState = {
    calls: [],
    recording: { maxCalls, imageData: options.recordImageData ?? true },
    faults: createFaultQueue(),
    images: createImageInspector(),
    latencyMs,
    streamChunkDelayMs,
    logger: options.logger,
    closing,
  };
  const server = createDualProtocolServer(createRequestHandler(state));
  // server.close() waits for clients to hang up; tracking sockets lets close() end kept-alive sessions itself.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    get calls() {
      return state.calls;
    },
    injectFault: (fault) => state.faults.push(fault),
    clearFaults: () => state.faults.clear(),
    resetCalls: () => {
      state.calls.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closeCalls();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
