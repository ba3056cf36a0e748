import type { HistoryCursorCodec, HistoryFilter, HistoryOrder, HistoryReader } from '../store/index.js';
import type { DescriptionRecord } from '../store/index.js';

/**
 * What the history resolver hands to DescriptionConnection: the page, and what is
 * needed to count rows only if a client selects `totalCount` (a count over a large
 * ledger is the expensive part of a page).
 */
export interface HistoryConnectionParent {
  readonly records: readonly DescriptionRecord[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly order: HistoryOrder;
  readonly filter: HistoryFilter;
  readonly history: HistoryReader;
  readonly cursors: HistoryCursorCodec;
  /** Who the page's cursors are bound to (see HistoryCursorCodec). */
  readonly binding: string;
}
