/**
 * The ledger. Only this folder imports the generated Prisma client or a database driver.
 */
export { openStore } from './openStore.js';
export type { Store, OpenStoreOptions } from './openStore.js';
export { applyMigrations } from './applyMigrations.js';
export type { SqlSession, MigrationLog } from './applyMigrations.js';
export { DuplicateClientRequestIdError } from './createDescriptionRepository.js';
export { isOvertaken } from './completeRun.js';
export { accountAttempts } from './accountAttempts.js';
export type { DescriptionRepository, Deletion } from './createDescriptionRepository.js';
export type { HistoryReader, HistoryPage } from './createHistoryReader.js';
export type { HistoryCursorCodec } from './historyCursor.js';
export type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from './createApiKeyRepository.js';
export { OPEN_MODE_KEY_ID } from './ledgerScope.js';
export { RETRYABLE_FAILURE_CODES } from './reopenSql.js';
export type { InstanceLease } from './createInstanceLease.js';
export type { EstimateSample } from './estimateSamplesSql.js';
export { requestImageRecord } from './requestImageRecord.js';
export type { LedgerScope } from './ledgerScope.js';
export { EXPORT_COLUMNS, exportHeader } from './exportBatchSql.js';
export type { ExportFormat, ExportLine } from './exportBatchSql.js';
export { DEFAULT_HISTORY_ORDER } from './HistoryFilter.js';
export type * from './HistoryFilter.js';
export type * from './UsageSummary.js';
export type * from './DescriptionRecord.js';
