import { createHmac, timingSafeEqual } from 'node:crypto';
import { badInput } from '../errors.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import type { HistoryKey, HistoryOrder } from './HistoryFilter.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque Relay cursors for history pages. */
export interface HistoryCursorCodec {
  /** `binding` names who receives the cursor (an API key id): only the same binding can decode it. */
  encode(order: HistoryOrder, record: DescriptionRecord, binding: string): string;
  /** The position a cursor names; BAD_USER_INPUT/CURSOR_INVALID for anything this API did not issue for `order` and `binding`. */
  decode(order: HistoryOrder, cursor: string, binding: string): HistoryKey;
}

/** The value a record sorts by in `order` (null where the row has none yet). */
export function sortValue(order: HistoryOrder, record: DescriptionRecord): string | number | null {
  switch (order.field) {
    case 'CREATED_AT':
      return record.createdAt.toISOString();
    case 'COST':
      // A FAILED row has a cost too when it was billed (a damaged answer).
      return record.status === 'PENDING' ? null : record.costUsd;
    case 'TOTAL_TOKENS':
      return record.status === 'PENDING' ? null : (record.usage?.totalTokens ?? null);
    case 'LATENCY':
      return record.status === 'PENDING' ? null : record.latencyMs;
    default: {
      const unreachable: never = order.field;
      return unreachable;
    }
  }
}

/**
 * Cursors carry the ordering and the row's sort key, signed with a key every server of
 * a deployment shares (kept in the database). A cursor from another ordering, or one
 * whose key was edited, fails the check and is refused, never turned into a wrong page.
 */
export function createHistoryCursorCodec(secret: Buffer): HistoryCursorCodec {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
  const invalid = () => badInput('CURSOR_INVALID', 'The cursor is not one this API issued for this ordering');
  // The key that received a cursor is part of what is signed: another key's cursor reads as a forged one.
  const orderTag = (order: HistoryOrder, binding: string) => `${order.field}:${order.direction}:${binding}`;

  return {
    encode(order, record, binding) {
      const payload = JSON.stringify([orderTag(order, binding), sortValue(order, record), record.id]);
      return `${Buffer.from(payload).toString('base64url')}.${sign(payload).toString('base64url')}`;
    },
    decode(order, cursor, binding) {
      const [body, signature, extra] = cursor.split('.');
      if (body === undefined || signature === undefined || extra !== undefined) throw invalid();
      const payload = Buffer.from(body, 'base64url').toString('utf8');
      const expected = sign(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let value: unknown;
      try {
        value = JSON.parse(payload);
      } catch {
        throw invalid();
      }
      if (!Array.isArray(value) || value.length !== 3 || value[0] !== orderTag(order, binding)) throw invalid();
      const [, key, id] = value as unknown[];
      if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
      if (key !== null && typeof key !== 'string' && typeof key !== 'number') throw invalid();
      return { value: key, id };
    },
  };
}
