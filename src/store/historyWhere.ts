import type { Prisma } from '../generated/prisma/client.js';
import type { HistoryFilter, HistoryKey } from './HistoryFilter.js';

/** Prisma `where` for a history filter, plus the keyset condition for a page after `after`. */
export function historyWhere(filter: HistoryFilter, after?: HistoryKey): Prisma.DescriptionRequestWhereInput {
  const and: Prisma.DescriptionRequestWhereInput[] = [];
  if (filter.createdAfter !== undefined) and.push({ createdAt: { gte: filter.createdAfter } });
  if (filter.createdBefore !== undefined) and.push({ createdAt: { lt: filter.createdBefore } });
  if (filter.status !== undefined && filter.status.length > 0) and.push({ status: { in: [...filter.status] } });
  if (filter.modelId !== undefined && filter.modelId.length > 0) and.push({ modelId: { in: [...filter.modelId] } });
  if (filter.api !== undefined && filter.api.length > 0) and.push({ api: { in: [...filter.api] } });
  if (filter.errorCode !== undefined) and.push({ errorCode: filter.errorCode });
  if (filter.clientRequestId !== undefined) and.push({ clientRequestId: filter.clientRequestId });
  if (filter.imageSha256 !== undefined) and.push({ images: { some: { imageSha256: filter.imageSha256 } } });
  if (filter.search !== undefined && filter.search !== '') {
    const contains = { contains: filter.search, mode: 'insensitive' as const };
    and.push({ OR: [{ prompt: contains }, { systemPrompt: contains }, { text: contains }] });
  }
  if (after !== undefined) {
    // Keyset: strictly after (createdAt, id) in descending order. Ties on createdAt are
    // broken by id, so rows written in the same millisecond are neither skipped nor repeated.
    and.push({
      OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
    });
  }
  return { AND: and };
}
