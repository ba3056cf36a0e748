/**
 * Text from outside the API's own checks (the model's answer, an upstream error message) in a
 * form PostgreSQL's `text` type accepts: U+0000 becomes U+FFFD, the replacement character.
 * PostgreSQL refuses U+0000 outright (22021), and a completion write that failed on it left
 * its row PENDING after a billed call. Other control characters are stored as they are;
 * whoever renders the text (the CSV export) guards against them.
 */
export function storableText(text: string): string;
export function storableText(text: string | null | undefined): string | null | undefined;
export function storableText(text: string | null | undefined): string | null | undefined {
  return text?.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}
