/** Narrows parsed JSON to a plain object; request bodies are untrusted `unknown` until checked. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
