import type { DescriptionRepository, HistoryFilter, HistoryPage } from '../store/index.js';

/**
 * What the history resolver hands to DescriptionConnection: the page, plus what is
 * needed to count rows only if a client selects `totalCount` (a count over a large
 * ledger is the expensive part of a page).
 */
export interface HistoryConnectionParent {
  readonly page: HistoryPage;
  readonly hasPreviousPage: boolean;
  readonly filter: HistoryFilter;
  readonly descriptions: DescriptionRepository;
}
