/**
 * Deleting history: single requests on demand, and old ones on the retention schedule. Also the
 * other timers over the ledger: recovery of gone processes' rows, and the estimate's calibration.
 */
export { createHousekeeping } from './createHousekeeping.js';
export type { Housekeeping } from './createHousekeeping.js';
export { startRecovery, INTERRUPTED_MESSAGE } from './startRecovery.js';
export type { Recovery } from './startRecovery.js';
export { startCalibrationRefresh } from './startCalibrationRefresh.js';
export type { CalibrationRefresh } from './startCalibrationRefresh.js';
