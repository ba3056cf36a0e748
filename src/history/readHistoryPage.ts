import { bindingOf, type Caller } from '../auth/index.js';
import { badInput } from '../errors.js';
import type { HistoryOrder as GeneratedHistoryOrderInput } from '../generated/graphql.js';
import {
  DEFAULT_HISTORY_ORDER,
  type DescriptionRecord,
  type HistoryCursorCodec,
  type HistoryFilter,
  type HistoryOrder,
  type HistoryPageRequest,
  type HistoryReader,
} from '../store/index.js';
import { scopedHistoryFilter } from './scopedHistoryFilter.js';
import type { HistoryFilterInput } from './toHistoryFilter.js';

/** An ordering as clients give it (the schema's HistoryOrder input): either part may be left out. */
export type HistoryOrderInput = GeneratedHistoryOrderInput;

/** What a client asks of one page: Relay's arguments, a filter and an ordering, all optional. */
export interface HistoryPageArgs {
  readonly filter?: HistoryFilterInput | null | undefined;
  readonly orderBy?: HistoryOrderInput | null | undefined;
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

/** One page of the ledger, and what its cursors and a count over the same rows need. */
export interface HistoryPage {
  readonly records: readonly DescriptionRecord[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly order: HistoryOrder;
  /** The caller-scoped store filter the page was read with. */
  readonly filter: HistoryFilter;
  /** Who the page's cursors are bound to (see HistoryCursorCodec). */
  readonly binding: string;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Page sizes are clamped, not refused: asking for 1000 rows gets the 100 a page holds. */
const clamp = (size: number) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(size)));
const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/**
 * Relay paging over the ledger: forwards (first/after) or backwards (last/before), the rows
 * `caller` may read, with cursors only `caller` can hand back (CURSOR_INVALID otherwise).
 */
export async function readHistoryPage(
  history: HistoryReader,
  cursors: HistoryCursorCodec,
  caller: Caller,
  args: HistoryPageArgs,
): Promise<HistoryPage> {
  const order: HistoryOrder = {
    field: args.orderBy?.field ?? DEFAULT_HISTORY_ORDER.field,
    direction: args.orderBy?.direction ?? DEFAULT_HISTORY_ORDER.direction,
  };
  const backward = given(args.last) || given(args.before);
  if (backward && (given(args.first) || given(args.after))) {
    throw badInput('PAGINATION_INVALID', 'Page forwards (first, after) or backwards (last, before), not both');
  }
  const filter = scopedHistoryFilter(caller, args.filter);
  const binding = bindingOf(caller);
  const page: HistoryPageRequest = backward
    ? {
        direction: 'backward',
        size: clamp(args.last ?? DEFAULT_PAGE_SIZE),
        before: given(args.before) ? cursors.decode(order, args.before, binding) : undefined,
      }
    : {
        direction: 'forward',
        size: clamp(args.first ?? DEFAULT_PAGE_SIZE),
        after: given(args.after) ? cursors.decode(order, args.after, binding) : undefined,
      };
  const { records, hasMore } = await history.listHistory(filter, order, page);
  return {
    records,
    // Relay allows these to say false when paging the other way costs a query; a cursor given means rows lie behind.
    hasNextPage: backward ? given(args.before) : hasMore,
    hasPreviousPage: backward ? hasMore : given(args.after),
    order,
    filter,
    binding,
  };
}

/** A record's cursor on `page`: for the page's ordering, bound to whoever read the page. */
export function historyCursor(cursors: HistoryCursorCodec, page: HistoryPage, record: DescriptionRecord): string {
  return cursors.encode(page.order, record, page.binding);
}
