import { bindingOf, scopeFilter } from '../auth/index.js';
import { badInput } from '../errors.js';
import type { QueryHistoryArgs } from '../generated/graphql.js';
import { DEFAULT_HISTORY_ORDER, type HistoryOrder, type HistoryPageRequest } from '../store/index.js';
import type { GraphQLContext } from './GraphQLContext.js';
import type { HistoryConnectionParent } from './historyConnection.js';
import { toHistoryFilter } from './toHistoryFilter.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Page sizes are clamped, not refused: asking for 1000 rows gets the 100 a page holds. */
const clamp = (size: number) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(size)));
const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/** Relay paging over the ledger: forwards (first/after) or backwards (last/before). */
export async function resolveHistory(
  args: QueryHistoryArgs,
  { history, cursors, caller }: GraphQLContext,
): Promise<HistoryConnectionParent> {
  const order: HistoryOrder = {
    field: args.orderBy?.field ?? DEFAULT_HISTORY_ORDER.field,
    direction: args.orderBy?.direction ?? DEFAULT_HISTORY_ORDER.direction,
  };
  const backward = given(args.last) || given(args.before);
  if (backward && (given(args.first) || given(args.after))) {
    throw badInput('PAGINATION_INVALID', 'Page forwards (first, after) or backwards (last, before), not both');
  }
  const filter = scopeFilter(caller, toHistoryFilter(args.filter));
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
    history,
    cursors,
    binding,
  };
}
