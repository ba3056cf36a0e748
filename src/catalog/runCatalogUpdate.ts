import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import {
  DEFAULT_MODEL_CATALOG,
  loadModelCatalog,
  readCatalogSources,
  type CatalogSourcesOptions,
} from '../bedrock/index.js';
import { buildCatalogUpdate, type CatalogUpdate } from './buildCatalogUpdate.js';
import { formatCatalogUpdate } from './formatCatalogUpdate.js';

export interface CatalogUpdateOptions extends CatalogSourcesOptions {
  /** The override file to write, the one MODEL_CATALOG_FILE names. */
  readonly outPath: string;
  /** The date written as each entry's `asOf` (YYYY-MM-DD); today by default. */
  readonly asOf?: string | undefined;
}

export interface CatalogUpdateResult {
  readonly update: CatalogUpdate;
  /** The readable diff, for the terminal. */
  readonly report: string;
  readonly written: boolean;
}

/** Entries of an override file already there, which an update must not silently drop. */
function existingEntries(path: string): { id: string }[] {
  if (!existsSync(path)) return [];
  const data = JSON.parse(readFileSync(path, 'utf8')) as { models?: { id: string }[] };
  return data.models ?? [];
}

/**
 * `npm run catalog:update`: reads Bedrock's control plane and the Price List for a region,
 * writes the entries that differ from the built-in catalog to the override file (keeping the
 * file's other entries, such as private models), and returns a readable diff. The file is
 * validated as the server would load it before it replaces the old one, so a failed update
 * leaves the old file in place.
 */
export async function runCatalogUpdate(options: CatalogUpdateOptions): Promise<CatalogUpdateResult> {
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const sources = await readCatalogSources(options);
  const update = buildCatalogUpdate(sources, DEFAULT_MODEL_CATALOG.models, asOf);
  let report = formatCatalogUpdate(update, options.outPath);
  if (update.entries.length === 0) return { update, report, written: false };

  const updatedIds = new Set(update.entries.map((e) => e.id));
  const previous = existingEntries(options.outPath);
  const kept = previous.filter((e) => !updatedIds.has(e.id));
  const replaced = previous.filter((e) => updatedIds.has(e.id)).map((e) => e.id);
  if (kept.length > 0) report += `\nKept ${kept.length} other entries of ${options.outPath}.`;
  if (replaced.length > 0) report += `\nReplaced the file's own entries for ${replaced.join(', ')}.`;

  const temporary = `${options.outPath}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ models: [...kept, ...update.entries] }, null, 2)}\n`);
  try {
    loadModelCatalog(temporary);
    renameSync(temporary, options.outPath);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { update, report, written: true };
}
