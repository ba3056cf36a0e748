/**
 * What a 'control-characters' fault puts in the middle of the text: NUL (which PostgreSQL refuses in `text`), BEL,
 * backspace, an ANSI escape sequence (which repaints a terminal that prints the log), DEL, a C1 control (NEL) and a
 * bare carriage return. Models do emit such characters when asked to transcribe what they see.
 */
export const CONTROL_CHARACTERS = 'NUL\u0000 BEL\u0007 BS\u0008 ESC\u001b[31m DEL\u007f NEL\u0085 CR\r';

/** The text with {@link CONTROL_CHARACTERS} at a word boundary near its middle, so a stream carries them in a delta. */
export function withControlCharacters(text: string): string {
  const middle = text.indexOf(' ', Math.floor(text.length / 2));
  const at = middle < 0 ? text.length : middle;
  return `${text.slice(0, at)} ${CONTROL_CHARACTERS}${text.slice(at)}`;
}
