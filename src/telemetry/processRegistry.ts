import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles) in a registry of
 * their own, created once per process. They describe the process, not an app, and prom-client
 * starts an event-loop delay monitor and a GC observer for each collection that it never stops:
 * one per app would pile up in a test run that starts and stops many apps in one process.
 */
export function processRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
