/**
 * The ledger. Only this folder imports the generated Prisma client or a database driver.
 */
export { openStore } from './openStore.js';
export type { Store, OpenStoreOptions } from './openStore.js';
export { applyMigrations } from './applyMigrations.js';
export type { SqlSession, MigrationLog } from './applyMigrations.js';
export { DuplicateClientRequestIdError } from './createDescriptionRepository.js';
export type { DescriptionRepository, HistoryPage } from './createDescriptionRepository.js';
export { encodeHistoryCursor, decodeHistoryCursor } from './historyCursor.js';
export type { HistoryFilter, HistoryKey } from './HistoryFilter.js';
export type * from './DescriptionRecord.js';
