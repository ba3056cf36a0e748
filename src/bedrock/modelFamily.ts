import { baseModelId } from './baseModelId.js';

/** The vendor and the letters that open the model's name: `anthropic.claude`, `amazon.nova`, `meta.llama`. */
const FAMILY = /^([a-z0-9-]+)\.([a-z]+)/;

/**
 * The family a model id belongs to for the calibration of input-token estimates: its vendor
 * and model line, read from the base id, e.g. `anthropic.claude` (every Claude), `amazon.nova`
 * (Nova and Nova 2), `meta.llama` (Llama 3.2 and 4), `mistral.pixtral`. The catalog names a
 * provider but no family, and a family must also exist for a model outside the catalog, so it is
 * derived from the id; inference profiles (`us.`, `global.` …) and ARNs fall to their base model.
 * Each line tokenises images its own way, while one line's versions share the way. An id that
 * does not read as vendor.model (an application inference profile's opaque ARN) is its own family.
 */
export function modelFamily(modelId: string): string {
  const base = baseModelId(modelId);
  const match = FAMILY.exec(base);
  return match === null ? base : `${match[1]}.${match[2]}`;
}
