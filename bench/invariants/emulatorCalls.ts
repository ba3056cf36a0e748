import type { FaultKind, RecordedCall } from '../../src/emulator/index.js';

/** When a call reached the emulator and which fault it consumed, as the emulator's per-call log line says. */
export interface CallTiming {
  /** Epoch ms at which the emulator received the call (before reading its body). */
  readonly receivedAt: number;
  readonly fault: FaultKind | undefined;
}

/** A recorded call with its timing: what the invariant checker reads about each model call. */
export interface EmulatorCall extends RecordedCall {
  /** Undefined when the emulator logged nothing for the call (then the call cannot be placed in time). */
  readonly receivedAt: number | undefined;
  readonly fault: FaultKind | undefined;
}

const CALL_MESSAGE = 'bedrock emulator call';

/**
 * Reads one line the emulator logged (`{ requestId, fault, ms, … }` with msg "bedrock emulator call"), as pino
 * writes it from `node dist/src/emulator/main.js` (`time` in epoch ms) or as an in-process logger receives it (pass
 * the time it was called). The line is written when the call is answered, `ms` after it was received, so the
 * reception time is `time − ms`: the emulator's own clock, which on one machine is the API's too.
 */
export function readCallTiming(
  line: Record<string, unknown>,
  loggedAt = line['time'],
): { requestId: string; timing: CallTiming } | undefined {
  if (line['msg'] !== CALL_MESSAGE) return undefined;
  const { requestId, ms, fault } = line;
  if (typeof requestId !== 'string' || typeof ms !== 'number' || typeof loggedAt !== 'number') return undefined;
  return {
    requestId,
    timing: { receivedAt: loggedAt - ms, fault: typeof fault === 'string' ? (fault as FaultKind) : undefined },
  };
}

/** Collects timings from log lines; `logger` fits `startEmulator({ logger })` for an emulator in this process. */
export function createCallTimings(): {
  readonly timings: Map<string, CallTiming>;
  readonly logger: { info(...args: unknown[]): void };
  /** Feeds one JSON line of the emulator process's standard output. */
  readonly readLine: (text: string) => void;
} {
  const timings = new Map<string, CallTiming>();
  const add = (line: Record<string, unknown>, loggedAt?: number) => {
    const read = readCallTiming(line, loggedAt ?? line['time']);
    if (read !== undefined) timings.set(read.requestId, read.timing);
  };
  return {
    timings,
    logger: {
      info(object: unknown, msg?: unknown) {
        if (typeof object === 'object' && object !== null) add({ ...object, msg }, Date.now());
      },
    },
    readLine(text) {
      try {
        add(JSON.parse(text) as Record<string, unknown>);
      } catch {
        // Not a JSON line (a start-up message): nothing to read.
      }
    },
  };
}

/** The recorded calls joined to their timings. */
export function withTimings(calls: readonly RecordedCall[], timings: ReadonlyMap<string, CallTiming>): EmulatorCall[] {
  return calls.map((call) => {
    const timing = timings.get(call.requestId);
    return { ...call, receivedAt: timing?.receivedAt, fault: timing?.fault };
  });
}

/** `GET /_emulator/calls` of an emulator in another process. */
export async function fetchRecordedCalls(emulatorUrl: string): Promise<RecordedCall[]> {
  const response = await fetch(`${emulatorUrl}/_emulator/calls`);
  if (response.status !== 200) throw new Error(`GET /_emulator/calls: HTTP ${response.status}`);
  return (await response.json()) as RecordedCall[];
}
