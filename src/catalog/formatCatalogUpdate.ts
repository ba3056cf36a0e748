import type { CatalogUpdate } from './buildCatalogUpdate.js';

/**
 * The update as a person reads it: what changed against the built-in catalog, field by
 * field, what is new, and what Bedrock no longer lists.
 */
export function formatCatalogUpdate(update: CatalogUpdate, outPath: string): string {
  const lines = [
    `Model catalog from Bedrock (${update.region}) as of ${update.asOf}, against the built-in catalog:`,
    `  ${update.changed.length} changed, ${update.added.length} new, ${update.unlisted.length} not listed in ${update.region}.`,
  ];
  for (const { entry, changes } of update.changed) {
    lines.push('', `~ ${entry.name} (${entry.id})`);
    for (const c of changes) lines.push(`    ${c.field}: ${c.from} -> ${c.to}`);
  }
  for (const entry of update.added) {
    lines.push(
      '',
      `+ ${entry.name} (${entry.id}) ${entry.lifecycle}, ${entry.inputUsdPerMillion} in / ${entry.outputUsdPerMillion} out per 1M tokens`,
    );
    if (entry.inferenceProfiles.length > 0)
      lines.push(`    profiles: ${entry.inferenceProfiles.map((p) => p.prefix).join(', ')}`);
    if (entry.uncertain !== undefined)
      lines.push(`    not published by any API, check by hand: ${entry.uncertain.join(', ')}`);
  }
  const stillCurrent = update.unlisted.filter((m) => m.lifecycle !== 'END_OF_LIFE');
  if (stillCurrent.length > 0) {
    lines.push(
      '',
      `! Not listed in ${update.region} but not END_OF_LIFE in the built-in catalog (retired, or not offered in this region):`,
    );
    for (const m of stillCurrent) lines.push(`    ${m.name} (${m.id}) ${m.lifecycle}`);
  }
  const retired = update.unlisted.length - stillCurrent.length;
  if (retired > 0) lines.push('', `  ${retired} built-in models already END_OF_LIFE are not listed, as expected.`);
  for (const s of update.skipped) lines.push('', `? ${s.modelId} skipped: ${s.reason}`);
  for (const w of update.warnings) lines.push(`? Price List: ${w}`);
  lines.push(
    '',
    update.entries.length === 0
      ? `Nothing differs from the built-in catalog; ${outPath} was not written.`
      : `Wrote ${update.entries.length} entries to ${outPath}; load them with MODEL_CATALOG_FILE=${outPath}.`,
  );
  return lines.join('\n');
}
