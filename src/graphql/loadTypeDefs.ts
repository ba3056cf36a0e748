import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';

/** schema.graphql, the source of truth for the API. */
export function loadTypeDefs(): string {
  return readFileSync(join(packageRoot(), 'schema.graphql'), 'utf8');
}
