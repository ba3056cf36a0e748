/** Deleting history: single requests on demand, and old ones on the retention schedule. */
export { createHousekeeping } from './createHousekeeping.js';
export type { Housekeeping } from './createHousekeeping.js';
export { startRecovery, INTERRUPTED_MESSAGE } from './startRecovery.js';
export type { Recovery } from './startRecovery.js';
