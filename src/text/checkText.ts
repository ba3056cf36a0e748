import { badInput, type InputReason } from '../errors.js';

/** What one text field may be. */
export interface TextRule {
  /** The field's name as the client wrote it, for the message. */
  readonly field: string;
  /** The BAD_USER_INPUT reason a refusal carries. */
  readonly reason: InputReason;
  /** Characters (Unicode code points, after NFC), so a cap means the same for every script. */
  readonly maxChars: number;
  /** UTF-8 bytes (after NFC): what the database, the index and the Bedrock request actually hold. */
  readonly maxBytes: number;
  /** Newline and tab are allowed in prose (prompts, search), not in identifiers. */
  readonly multiline: boolean;
}

// C0 controls, DEL and C1 controls. U+0000 in particular is refused by PostgreSQL's text type
// (22021), so letting it through turned a client's mistake into an INTERNAL_SERVER_ERROR.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const CONTROL_BUT_LINE_BREAK_AND_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
// In a `u` regular expression a surrogate pair is one code point, so only an unpaired half matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * Checks one client-supplied text and returns it in Unicode NFC, the form that is stored,
 * searched and sent: without it "é" typed as one code point and as e + U+0301 would be two
 * different prompts for the idempotency hash and for search. Refused (BAD_USER_INPUT with
 * the rule's reason): control characters other than newline and tab (none at all for an
 * identifier), text that is not well-formed UTF-16 (a lone surrogate has no UTF-8 form), and
 * text over the character or byte cap.
 */
export function checkText(value: string, rule: TextRule): string {
  if (LONE_SURROGATE.test(value)) {
    throw badInput(rule.reason, `${rule.field} contains an unpaired surrogate, which is not text`);
  }
  if ((rule.multiline ? CONTROL_BUT_LINE_BREAK_AND_TAB : CONTROL).test(value)) {
    throw badInput(
      rule.reason,
      rule.multiline
        ? `${rule.field} contains a control character; only newline and tab are allowed`
        : `${rule.field} contains a control character`,
    );
  }
  // Checked before normalising too: NFC of a huge text is itself work a cap should spare.
  if (value.length > rule.maxBytes) throw tooLong(rule);
  const text = value.normalize('NFC');
  if (countCodePoints(text) > rule.maxChars || Buffer.byteLength(text, 'utf8') > rule.maxBytes) throw tooLong(rule);
  return text;
}

const tooLong = (rule: TextRule) =>
  badInput(rule.reason, `${rule.field} is limited to ${rule.maxChars} characters and ${rule.maxBytes} bytes of UTF-8`);

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    // A well-formed high surrogate is always followed by its low half: one character, two units.
    if (unit >= 0xd800 && unit <= 0xdbff) i += 1;
    count += 1;
  }
  return count;
}
