import { createHmac, timingSafeEqual } from 'node:crypto';
import { badInput } from '../errors.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import type { HistoryKey, HistoryOrder } from './HistoryFilter.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque Relay cursors for history pages. */
export interface HistoryCursorCodec {
  encode(order: HistoryOrder, record: DescriptionRecord): string;
  /** The position a cursor names; BAD_USER_INPUT/CURSOR_INVALID for anything this API did not issue for `order`. */
  decode(order: HistoryOrder, cursor: string): HistoryKey;
}

/** The value a record sorts by in `order` (null where the row has none yet). */
export function sortValue(order: HistoryOrder, record: DescriptionRecord): string | number | null {
  switch (order.field) {
    case 'CREATED_AT':
      return record.createdAt.toISOString();
    case 'COST':
      return record.status === 'SUCCEEDED' ? record.costUsd : null;
    case 'TOTAL_TOKENS':
      return record.status === 'SUCCEEDED' ? record.usage.totalTokens : null;
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
  const orderTag = (order: HistoryOrder) => `${order.field}:${order.direction}`;

  return {
    encode(order, record) {
      const payload = JSON.stringify([orderTag(order), sortValue(order, record), record.id]);
      return `${Buffer.from(payload).toString('base64url')}.${sign(payload).toString('base64url')}`;
    },
    decode(order, cursor) {
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
      if (!Array.isArray(value) || value.length !== 3 || value[0] !== orderTag(order)) throw invalid();
      const [, key, id] = value as unknown[];
      if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
      if (key !== null && typeof key !== 'string' && typeof key !== 'number') throw invalid();
      return { value: key, id };
    },
  };
}
