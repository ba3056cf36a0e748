import { randomUUID } from 'node:crypto';

import { BedrockError } from './bedrockError.js';
import type { EmulatorState } from './emulatorState.js';
import { handleControl } from './handleControl.js';
import { handleControlPlane, isControlPlaneRequest } from './controlPlane/handleControlPlane.js';
import { handleModelCall } from './handleModelCall.js';
import { matchOperation } from './operationRoutes.js';
import { readAuthScheme } from './readAuthScheme.js';
import { writeError } from './wire.js';
import type { WireRequest, WireResponse } from './wire.js';

/**
 * The server's request listener: control endpoints, model operations, or AWS's answer for an unknown operation.
 * It never rejects: whatever goes wrong still gets an answer, because a client left without one hangs until its
 * own timeout and hides the real failure.
 */
export function createRequestHandler(state: EmulatorState): (req: WireRequest, res: WireResponse) => void {
  return (req, res) => {
    route(state, req, res).catch((error: unknown) => {
      const failure =
        error instanceof BedrockError
          ? error
          : new BedrockError('InternalServerException', `The emulator failed: ${String(error)}`);
      state.logger?.info({ err: error }, 'bedrock emulator request failed');
      writeError(res, randomUUID(), failure);
    });
  };
}

async function route(state: EmulatorState, req: WireRequest, res: WireResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/_emulator' || path.startsWith('/_emulator/')) return handleControl(state, req, res, path);
  if (isControlPlaneRequest(req, path)) return handleControlPlane(req, res, path);
  const match = matchOperation(req.method, path);
  if (match && readAuthScheme(req) === undefined) {
    req.resume();
    const message = 'The Authorization header is neither an AWS Signature Version 4 nor a Bearer API key.';
    return writeError(res, randomUUID(), new BedrockError('AccessDeniedException', message));
  }
  if (match) return handleModelCall(state, req, res, match);
  // Drain the body so the client sees the answer rather than a reset stream.
  req.resume();
  writeError(
    res,
    randomUUID(),
    new BedrockError('UnknownOperationException', `No Bedrock Runtime operation matches ${req.method ?? ''} ${path}.`),
  );
}
