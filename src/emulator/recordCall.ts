import type { EmulatorState } from './emulatorState.js';
import type { RecordedCall } from './types.js';
import { withoutImageData } from './withoutImageData.js';

/** A body that is not JSON is kept up to this many characters when image data is not recorded: enough to see why. */
const MAX_UNPARSED_BODY_CHARACTERS = 1024;

/**
 * Adds a call to `state.calls` as the emulator's options say: without image data if so configured, and dropping the
 * oldest call once `maxCalls` are held, so an emulator that runs for hours keeps a bounded record. Returns the record
 * itself, which a streamed answer keeps updating (`chunksSent`, `cancelled`) whether or not it is still held.
 */
export function recordCall(state: EmulatorState, call: RecordedCall): RecordedCall {
  const { maxCalls, imageData } = state.recording;
  if (maxCalls === 0) return call;
  const kept: RecordedCall = imageData ? call : leanCall(call);
  state.calls.push(kept);
  if (state.calls.length > maxCalls) state.calls.shift();
  return kept;
}

function leanCall(call: RecordedCall): RecordedCall {
  if (call.body === undefined) {
    const rawBody =
      call.rawBody.length > MAX_UNPARSED_BODY_CHARACTERS
        ? call.rawBody.slice(0, MAX_UNPARSED_BODY_CHARACTERS)
        : call.rawBody;
    return { ...call, rawBody };
  }
  const body = withoutImageData(call.body);
  return { ...call, body, rawBody: JSON.stringify(body) };
}
