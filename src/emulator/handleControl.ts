import { z } from 'zod';

import type { EmulatorState } from './emulatorState.js';
import { faultKinds, streamErrorTypes } from './faultKinds.js';
import type { Fault } from './types.js';
import { readBody, writeJson } from './wire.js';
import type { WireRequest, WireResponse } from './wire.js';

/** JSON has no Infinity, so a fault that lasts until cleared is written `"times": "Infinity"` (or `null`). */
const faultJson = z.strictObject({
  kind: z.enum(faultKinds),
  times: z.union([z.number().int().positive(), z.literal('Infinity'), z.null()]).optional(),
  delayMs: z.number().nonnegative().optional(),
  message: z.string().optional(),
  modelId: z.string().optional(),
  afterChunks: z.number().int().nonnegative().optional(),
  errorType: z.enum(streamErrorTypes).optional(),
  chunkDelayMs: z.number().nonnegative().optional(),
});

function toJson(fault: Fault): unknown {
  return { ...fault, times: fault.times === Infinity ? 'Infinity' : fault.times };
}

/**
 * The `/_emulator/*` endpoints, so an emulator started from the command line can be driven by hand or from another
 * process: `POST|GET|DELETE /_emulator/faults`, `GET|DELETE /_emulator/calls`.
 */
export async function handleControl(
  state: EmulatorState,
  req: WireRequest,
  res: WireResponse,
  path: string,
): Promise<void> {
  const route = `${req.method ?? ''} ${path}`;
  const raw = (await readBody(req)).toString('utf8');
  switch (route) {
    case 'GET /_emulator/calls':
      writeJson(res, 200, state.calls);
      return;
    case 'DELETE /_emulator/calls':
      state.calls.length = 0;
      writeJson(res, 200, { cleared: 'calls' });
      return;
    case 'GET /_emulator/faults':
      writeJson(res, 200, state.faults.pending().map(toJson));
      return;
    case 'DELETE /_emulator/faults':
      state.faults.clear();
      writeJson(res, 200, { cleared: 'faults' });
      return;
    case 'POST /_emulator/faults': {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        writeJson(res, 400, { message: 'The body must be a JSON fault, e.g. {"kind":"throttle","times":2}.' });
        return;
      }
      const parsed = faultJson.safeParse(json);
      if (!parsed.success) {
        writeJson(res, 400, { message: z.prettifyError(parsed.error) });
        return;
      }
      const { times, ...rest } = parsed.data;
      // The queue checks which options go with which kind, and says so in its error.
      const fault = { ...rest, times: times === 'Infinity' || times === null ? Infinity : times } as Fault;
      try {
        state.faults.push(fault);
      } catch (error) {
        writeJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
        return;
      }
      writeJson(res, 201, toJson(fault));
      return;
    }
    default:
      writeJson(res, 404, { message: `No emulator control endpoint for ${route}.` });
  }
}
