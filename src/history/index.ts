/**
 * Reading history, whatever the transport: a client's filter checked and turned into the store's
 * filter (scoped to the caller), and Relay paging with cursors bound to the caller. GraphQL and the
 * HTTP export both come through here; nothing here knows either of them.
 */
export {
  MAX_FILTER_LIST_ENTRIES,
  MAX_SEARCH_LENGTH,
  toHistoryFilter,
  type HistoryFilterInput,
} from './toHistoryFilter.js';
export { scopedHistoryFilter } from './scopedHistoryFilter.js';
export {
  historyCursor,
  readHistoryPage,
  type HistoryOrderInput,
  type HistoryPage,
  type HistoryPageArgs,
} from './readHistoryPage.js';
