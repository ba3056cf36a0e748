import type { z } from 'zod';
import { catalogFileSchema, type CatalogModel } from './catalogModelSchema.js';

/** `models[3].inputUsdPerMillion`, with the entry's id when it has one so a person can find it. */
function issuePath(issue: z.core.$ZodIssue, data: unknown): string {
  let text = '';
  let node: unknown = data;
  for (const key of issue.path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
    node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    const id = typeof node === 'object' && node !== null ? (node as { id?: unknown }).id : undefined;
    if (typeof key === 'number' && typeof id === 'string') text += ` (${id})`;
  }
  return text === '' ? '(top level)' : text;
}

/**
 * Validates the parsed JSON of a catalog file and returns its models frozen. Throws an
 * Error naming the file and every problem found, so a hand edit that breaks the file
 * stops the process at start-up with a message that says which entry to fix.
 */
export function parseCatalogFile(data: unknown, source: string): readonly CatalogModel[] {
  const parsed = catalogFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issuePath(issue, data)}: ${issue.message}`);
    throw new Error(`Model catalog ${source} is invalid: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  for (const model of parsed.data.models) {
    if (seen.has(model.id)) throw new Error(`Model catalog ${source} is invalid: ${model.id} is listed twice`);
    seen.add(model.id);
  }
  return Object.freeze(parsed.data.models.map((model): CatalogModel => Object.freeze(model)));
}
