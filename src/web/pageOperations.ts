import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OWN_ASSETS_DIR } from './webAssets.js';

/** The page's operations the playground opens with, by their export names in `assets/operations.js`. */
const PLAYGROUND_OPERATIONS = ['DESCRIBE', 'DESCRIBE_STREAM', 'HISTORY', 'DASHBOARD', 'RECORD', 'PAGE_SETUP'] as const;

/** Operation texts, exactly as the page sends them. */
export type PageOperations = Readonly<Record<(typeof PLAYGROUND_OPERATIONS)[number], string>>;

/**
 * Reads the page's operations module, the browser's own file, so the playground's examples are
 * the operations the page sends and each exists once. Called at start-up: a missing module or
 * export stops the start, not the first browser. The module has no imports and no top-level
 * await, so Node (20.19 and later) loads it with require().
 */
export function loadPageOperations(): PageOperations {
  const file = join(OWN_ASSETS_DIR, 'operations.js');
  const exported = createRequire(import.meta.url)(file) as Record<string, unknown>;
  const operations: Partial<Record<keyof PageOperations, string>> = {};
  for (const name of PLAYGROUND_OPERATIONS) {
    const text = exported[name];
    if (typeof text !== 'string') throw new Error(`${file} exports no operation ${name}`);
    operations[name] = text;
  }
  return operations as PageOperations;
}
