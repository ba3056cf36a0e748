import { fileURLToPath } from 'node:url';
import { spawnTracked, type TrackedChild } from './spawnTracked.js';

/** This file runs from dist/bench/overhead/; the emulator's entry is built to dist/src/emulator/main.js. */
const EMULATOR_MAIN = new URL('../../src/emulator/main.js', import.meta.url);

export interface EmulatorProcess {
  readonly url: string;
  readonly process: TrackedChild;
}

/**
 * The project's Bedrock emulator in a process of its own (`dist/src/emulator/main.js`) at a fixed model latency.
 * It picks a free port and logs its URL as a pino JSON line, which is read here; the per-call log lines after it
 * are drained and dropped.
 */
export async function startEmulatorProcess(latencyMs: number): Promise<EmulatorProcess> {
  const process_ = spawnTracked(
    process.execPath,
    [fileURLToPath(EMULATOR_MAIN), '--port', '0', '--host', '127.0.0.1', '--latency-ms', String(latencyMs), '--quiet'],
    process.env,
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the emulator did not start in 30 s:\n${process_.tail()}`)),
      30_000,
    );
    process_.watchLines((line) => {
      try {
        const { url: logged } = JSON.parse(line) as { url?: unknown };
        if (typeof logged !== 'string') return false;
        clearTimeout(timer);
        resolve(logged);
        return true;
      } catch {
        return false;
      }
    });
    process_.exited.then(
      ({ code }) => reject(new Error(`the emulator exited (code ${code}) before listening:\n${process_.tail()}`)),
      reject,
    );
  });
  return { url, process: process_ };
}
