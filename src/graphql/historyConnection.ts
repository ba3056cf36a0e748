import type { HistoryPage } from '../history/index.js';
import type { HistoryCursorCodec, HistoryReader } from '../store/index.js';

/**
 * What the history resolver hands to DescriptionConnection: the page, and what is
 * needed to encode its cursors and to count rows only if a client selects `totalCount`
 * (a count over a large ledger is the expensive part of a page).
 */
export interface HistoryConnectionParent extends HistoryPage {
  readonly history: HistoryReader;
  readonly cursors: HistoryCursorCodec;
}
