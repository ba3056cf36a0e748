import { badInput, type InputReason } from '../errors.js';

/** Tags per request: enough for team, feature, customer and a few more; Converse takes at most 16 metadata entries. */
export const MAX_TAGS = 10;
export const MAX_TAG_KEY_CHARS = 64;
export const MAX_TAG_VALUE_CHARS = 256;

// A subset of what Bedrock's invocation-log metadata takes ([a-zA-Z0-9\s._:/=+$@-], keys 1-256,
// values 0-256 characters), so a tag that passes here never makes Converse refuse the call.
// No `=` in a key (it separates key from value) and no whitespace in it; a value may have spaces.
const KEY = /^[A-Za-z0-9._:/+$@-]+$/;
const VALUE = /^[A-Za-z0-9 ._:/=+$@-]*$/;

/**
 * Checks `key=value` tags and returns them sorted by key, the one form stored, hashed, filtered
 * and sent (so two requests with the same tags in another order are the same request).
 * Refused with `reason` (TAGS_INVALID on a request, FILTER_INVALID in a filter).
 */
export function checkTags(tags: readonly string[], reason: InputReason, field = 'tags'): readonly string[] {
  if (tags.length > MAX_TAGS) throw badInput(reason, `${field} takes at most ${MAX_TAGS} tags`);
  const byKey = new Map<string, string>();
  for (const tag of tags) {
    const at = tag.indexOf('=');
    const key = at < 0 ? '' : tag.slice(0, at);
    const value = at < 0 ? '' : tag.slice(at + 1);
    if (at < 1 || key.length > MAX_TAG_KEY_CHARS || !KEY.test(key)) {
      throw badInput(
        reason,
        `${field}: each tag is key=value with a key of 1 to ${MAX_TAG_KEY_CHARS} characters from A-Z a-z 0-9 . _ : / + $ @ -`,
      );
    }
    if (value.length > MAX_TAG_VALUE_CHARS || !VALUE.test(value)) {
      throw badInput(
        reason,
        `${field}: a tag value has at most ${MAX_TAG_VALUE_CHARS} characters from A-Z a-z 0-9 space . _ : / = + $ @ -`,
      );
    }
    if (byKey.has(key)) throw badInput(reason, `${field}: the key ${key} is given twice`);
    byKey.set(key, value);
  }
  return [...byKey.keys()].sort().map((key) => `${key}=${byKey.get(key)!}`);
}

/** A tag key alone (for grouping a usage summary by it), checked as checkTags checks keys. */
export function checkTagKey(key: string, reason: InputReason): string {
  if (key.length === 0 || key.length > MAX_TAG_KEY_CHARS || !KEY.test(key)) {
    throw badInput(reason, `A tag key has 1 to ${MAX_TAG_KEY_CHARS} characters from A-Z a-z 0-9 . _ : / + $ @ -`);
  }
  return key;
}
