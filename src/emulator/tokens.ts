/**
 * The emulator's token arithmetic. It follows Anthropic's published rules of thumb rather than a real tokenizer, so
 * numbers are stable, explainable, and of the right size for cost and limit tests.
 */

/** Anthropic downscales any image whose long edge exceeds this before the model sees it. */
export const MAX_LONG_EDGE = 1568;

/** Anthropic's estimate: one token per this many pixels of the (downscaled) image. */
export const PIXELS_PER_TOKEN = 750;

/** Rough English average, the rule Anthropic and AWS both quote for estimates. */
export const CHARACTERS_PER_TOKEN = 4;

/** The size the model sees: long edge at most {@link MAX_LONG_EDGE}, aspect ratio kept, rounded like a resize. */
export function modelViewSize(width: number, height: number): { width: number; height: number } {
  const longEdge = Math.max(width, height);
  if (longEdge <= MAX_LONG_EDGE) return { width, height };
  const scale = MAX_LONG_EDGE / longEdge;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Input tokens an image costs: ceil(w × h / 750) after the downscale. */
export function imageTokens(width: number, height: number): number {
  const seen = modelViewSize(width, height);
  return Math.ceil((seen.width * seen.height) / PIXELS_PER_TOKEN);
}

/** Characters as a reader counts them (code points), so an emoji is one character, not two UTF-16 units. */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

/** Tokens for a set of texts: ceil(total characters / 4), counted once over all of them. */
export function textTokens(texts: readonly string[]): number {
  const characters = texts.reduce((sum, text) => sum + characterCount(text), 0);
  return Math.ceil(characters / CHARACTERS_PER_TOKEN);
}

/** The first `tokens × 4` characters of a text: what fits in a token budget under the same rule. */
export function truncateToTokens(text: string, tokens: number): string {
  return Array.from(text)
    .slice(0, tokens * CHARACTERS_PER_TOKEN)
    .join('');
}
