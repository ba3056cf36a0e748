import { randomBytes } from 'node:crypto';

/**
 * A token unique to one logical request, written into its prompt. The prompt is the one thing that reaches both the
 * ledger row and the model call unchanged, so the token ties each call the emulator saw to the row written for it.
 * All tokens have the same length, so two prompts that differ only in their token cost the same tokens.
 */
const TOKEN = /\bfp-[0-9a-f]{12}\b/;
const TOKEN_GLOBAL = /\bfp-[0-9a-f]{12}\b/g;

/** What every token becomes when a prompt is replayed for its price: same length, so same usage. */
export const TOKEN_FILLER = 'fp-000000000000';

export function newRequestToken(): string {
  return `fp-${randomBytes(6).toString('hex')}`;
}

/** A prompt carrying `token`, e.g. `Describe this image. [fp-0123456789ab]`. */
export function promptWithToken(prompt: string, token: string): string {
  return `${prompt} [${token}]`;
}

/** The token in a prompt or in a raw model request body, or undefined when there is none. */
export function tokenIn(text: string): string | undefined {
  return TOKEN.exec(text)?.[0];
}

/** `text` with every token replaced by {@link TOKEN_FILLER}. */
export function withoutTokens(text: string): string {
  return text.replace(TOKEN_GLOBAL, TOKEN_FILLER);
}
