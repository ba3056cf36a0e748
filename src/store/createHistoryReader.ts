import type { PrismaClient } from '../generated/prisma/client.js';
import type { DescriptionRecord } from './DescriptionRecord.js';
import type { DriverQuery } from './DriverQuery.js';
import { exportBatchSql, type ExportFormat, type ExportLine } from './exportBatchSql.js';
import type { HistoryFilter, HistoryKey, HistoryOrder, HistoryPageRequest } from './HistoryFilter.js';
import { historyPageSql, historyWhereSql, orderSql, reverse } from './historySql.js';
import { readLedgerRecords } from './ledgerRowsSql.js';
import type { UsageBucket, UsageGroupBy } from './UsageSummary.js';
import { usageSummarySql } from './usageSummarySql.js';
import { visionAnalytics } from './visionAnalyticsSql.js';
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
  usageSummary(
    filter: HistoryFilter,
    groupBy: readonly UsageGroupBy[],
    timeZone: string,
    /** A tag key to group by as well (its values are the buckets' `tag`). */
    groupByTag?: string,
  ): Promise<UsageBucket[]>;
  /**
   * Every matching row as a line of `format`, newest first, read in keyset batches so
   * memory stays flat however large the ledger.
   */
  exportLines(filter: HistoryFilter, format: ExportFormat, batchSize?: number): AsyncGenerator<ExportLine>;
}

export function createHistoryReader(prisma: PrismaClient, driverRead: DriverQuery): HistoryReader {
  return {
    async listHistory(filter, order, page) {
      const forward = page.direction === 'forward';
      const scan = forward ? order.direction : reverse(order.direction);
      const key = forward ? page.after : page.before;
      const idQuery = historyPageSql(filter, order, scan, key, page.size + 1);
      const rows = await readLedgerRecords(driverRead, idQuery, orderSql(order.field, scan));
      const records = rows.slice(0, page.size);
      if (!forward) records.reverse();
      return { records, hasMore: rows.length > page.size };
    },

    async countHistory(filter) {
      const [row] = await prisma.$queryRaw<{ n: number }[]>(
        Prisma.sql`SELECT count(*)::int AS n FROM "description_request" d WHERE ${historyWhereSql(filter)}`,
      );
      return row?.n ?? 0;
    },

    async usageSummary(filter, groupBy, timeZone, groupByTag) {
      const rows = await prisma.$queryRaw<Record<string, unknown>[]>(
        usageSummarySql(filter, groupBy, timeZone, groupByTag),
      );
      return rows.map((r) => ({
        model: (r.model as string | undefined) ?? null,
        day: (r.day as Date | undefined) ?? null,
        hour: (r.hour as Date | undefined) ?? null,
        status: (r.status as string | undefined) ?? null,
        api: (r.api as string | undefined) ?? null,
        apiKeyId: (r.apiKeyId as string | undefined) ?? null,
        serviceTier: (r.serviceTier as string | undefined) ?? null,
        tag: (r.tag as string | undefined) ?? null,
        requests: Number(r.requests),
        inputTokens: Number(r.inputTokens),
        outputTokens: Number(r.outputTokens),
        totalTokens: Number(r.totalTokens),
        costUsd: normalizeDecimal(String(r.costUsd)),
        latencyP50Ms: r.latencyP50Ms === null ? null : Number(r.latencyP50Ms),
        latencyP95Ms: r.latencyP95Ms === null ? null : Number(r.latencyP95Ms),
        ...visionAnalytics(r),
        unknownUsageRequests: Number(r.unknownUsageRequests),
        cachedRequests: Number(r.cachedRequests),
        savedUsd: normalizeDecimal(String(r.savedUsd)),
      }));
    },

    async *exportLines(filter, format, batchSize = 2000) {
      const read = (key: HistoryKey | undefined) => {
        const rows = driverRead<ExportLine>(exportBatchSql(filter, format, key, batchSize));
        // A consumer that stops early leaves the prefetched batch unread: its failure is nobody's.
        rows.catch(() => {});
        return rows;
      };
      let next = read(undefined);
      for (;;) {
        const rows = await next;
        const last = rows.at(-1);
        const more = last !== undefined && rows.length === batchSize;
        // The next batch is read while this one is written out: the database and the
        // client's socket work at the same time instead of taking turns.
        if (more) next = read({ value: last.createdAt, id: last.id });
        yield* rows;
        if (!more) return;
      }
    },
  };
}

/** "12.500000000000" → "12.5": the same number as the API writes it elsewhere. */
function normalizeDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
