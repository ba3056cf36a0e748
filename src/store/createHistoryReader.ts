import type { PrismaClient } from '../generated/prisma/client.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import { exportBatchSql, type ExportRow } from './exportBatchSql.js';
import type { HistoryFilter, HistoryOrder, HistoryPageRequest } from './HistoryFilter.js';
import { historyPageSql, historyWhereSql, orderSql, reverse } from './historySql.js';
import { fromLedgerRowJson, ledgerRowsSql, type LedgerRowJson } from './ledgerRowsSql.js';
import { toDescriptionRecord } from './toDescriptionRecord.js';
import type { UsageBucket, UsageGroupBy } from './UsageSummary.js';
import { usageSummarySql } from './usageSummarySql.js';
import { Prisma } from '../generated/prisma/client.js';

export interface HistoryPage {
  readonly records: readonly DescriptionRecord[];
  /** Rows exist beyond this page in the paging direction (Relay's hasNextPage or hasPreviousPage). */
  readonly hasMore: boolean;
}

export interface HistoryReader {
  /** One page in `order`, by keyset: a deep page costs what the first costs. */
  listHistory(filter: HistoryFilter, order: HistoryOrder, page: HistoryPageRequest): Promise<HistoryPage>;
  countHistory(filter: HistoryFilter): Promise<number>;
  usageSummary(filter: HistoryFilter, groupBy: readonly UsageGroupBy[], timeZone: string): Promise<UsageBucket[]>;
  /** Every matching row, newest first, read in batches so memory stays flat however large the ledger. */
  exportRows(filter: HistoryFilter, batchSize?: number): AsyncGenerator<ExportRow>;
}

export function createHistoryReader(prisma: PrismaClient): HistoryReader {
  return {
    async listHistory(filter, order, page) {
      const forward = page.direction === 'forward';
      const scan = forward ? order.direction : reverse(order.direction);
      const key = forward ? page.after : page.before;
      const idQuery = historyPageSql(filter, order, scan, key, page.size + 1);
      const rows = await prisma.$queryRaw<LedgerRowJson[]>(ledgerRowsSql(idQuery, orderSql(order.field, scan)));
      const records = rows.slice(0, page.size).map((row) => toDescriptionRecord(fromLedgerRowJson(row)));
      if (!forward) records.reverse();
      return { records, hasMore: rows.length > page.size };
    },

    async countHistory(filter) {
      const [row] = await prisma.$queryRaw<{ n: number }[]>(
        Prisma.sql`SELECT count(*)::int AS n FROM "description_request" d WHERE ${historyWhereSql(filter)}`,
      );
      return row?.n ?? 0;
    },

    async usageSummary(filter, groupBy, timeZone) {
      const rows = await prisma.$queryRaw<Record<string, unknown>[]>(usageSummarySql(filter, groupBy, timeZone));
      return rows.map((r) => ({
        model: (r.model as string | undefined) ?? null,
        day: (r.day as Date | undefined) ?? null,
        hour: (r.hour as Date | undefined) ?? null,
        status: (r.status as string | undefined) ?? null,
        api: (r.api as string | undefined) ?? null,
        requests: Number(r.requests),
        inputTokens: Number(r.inputTokens),
        outputTokens: Number(r.outputTokens),
        totalTokens: Number(r.totalTokens),
        costUsd: normalizeDecimal(String(r.costUsd)),
        latencyP50Ms: r.latencyP50Ms === null ? null : Number(r.latencyP50Ms),
        latencyP95Ms: r.latencyP95Ms === null ? null : Number(r.latencyP95Ms),
      }));
    },

    async *exportRows(filter, batchSize = 1000) {
      let key: { value: string; id: string } | undefined;
      for (;;) {
        const rows = await prisma.$queryRaw<ExportRow[]>(exportBatchSql(filter, key, batchSize));
        for (const row of rows) yield row;
        const last = rows.at(-1);
        if (last === undefined || rows.length < batchSize) return;
        key = { value: last.createdAt.toISOString(), id: last.id };
      }
    },
  };
}

/** "12.500000000000" → "12.5": the same number as the API writes it elsewhere. */
function normalizeDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
