import { scopeFilter, type Caller } from '../auth/index.js';
import type { HistoryFilter } from '../store/index.js';
import { toHistoryFilter, type HistoryFilterInput } from './toHistoryFilter.js';

/**
 * The rows `caller` may read that match `input`: the client's filter checked, then narrowed to the
 * caller's own rows (auth/scopeFilter decides that). Every read of history, whatever the door,
 * goes through here, so no door can forget the scope.
 */
export function scopedHistoryFilter(caller: Caller, input: HistoryFilterInput | null | undefined): HistoryFilter {
  return scopeFilter(caller, toHistoryFilter(input));
}
