import { once } from 'node:events';
import type { RequestHandler } from 'express';
import type { GraphQLInputObjectType } from 'graphql';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import { scopedHistoryFilter } from '../history/index.js';
import { exportHeader, type ExportFormat, type ExportLine, type HistoryReader } from '../store/index.js';
import { parseExportQuery } from './parseExportQuery.js';
import { sendAppError } from './sendAppError.js';
import { callerOf } from './createAuthMiddleware.js';

const formats = {
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', lineBreak: '\n' },
  csv: { contentType: 'text/csv; charset=utf-8', lineBreak: '\r\n' },
} as const satisfies Record<ExportFormat, unknown>;

/**
 * GET /export/history.ndjson and .csv: the filtered ledger, newest first, streamed row by
 * row with back-pressure, so memory stays flat at a million rows.
 */
export function createExportHandler(
  history: HistoryReader,
  logger: Logger,
  format: ExportFormat,
  /** The schema's HistoryFilter input: the export's parameters are its fields. */
  filterType: GraphQLInputObjectType,
): RequestHandler {
  const { contentType, lineBreak } = formats[format];
  return async (req, res) => {
    // Watched from the start: a client that leaves while the first batch is read must stop the
    // export too (a 'close' before the listener would never be seen, and a write to the closed
    // response would wait for a 'drain' that never comes).
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let lines: AsyncGenerator<ExportLine>;
    let first: IteratorResult<ExportLine>;
    try {
      const filter = scopedHistoryFilter(
        callerOf(res),
        parseExportQuery(req.query as Record<string, string | string[] | undefined>, filterType),
      );
      lines = history.exportLines(filter, format);
      // The first batch is read before the headers go out, so a refusal (a database that
      // cannot be reached) is still an error response rather than a cut-off download.
      first = await lines.next();
    } catch (error) {
      // Before the headers every failure is still a JSON answer, never a dropped connection.
      if (!isAppError(error)) logger.error({ err: error }, 'history export failed before streaming');
      sendAppError(res, isAppError(error) ? error : new AppError('INTERNAL_SERVER_ERROR', 'Internal server error'));
      return;
    }
    if (abort.signal.aborted) {
      await lines.return(undefined).catch(() => {});
      return;
    }
    res.status(200).type(contentType);
    res.setHeader('content-disposition', `attachment; filename="history.${format}"`);
    // Lines are gathered into ~64 KB writes: one write per row costs more than the row itself.
    let pending = exportHeader(format);
    const flush = async () => {
      const ok = res.write(pending);
      pending = '';
      if (!ok) await once(res, 'drain', { signal: abort.signal });
    };
    try {
      for (let next = first; next.done !== true; next = await lines.next()) {
        if (abort.signal.aborted) break;
        pending += next.value.line + lineBreak;
        if (pending.length >= 65_536) await flush();
      }
      res.end(pending);
    } catch (error) {
      if (abort.signal.aborted) return;
      logger.error({ err: error }, 'history export failed');
      // Headers are gone: cutting the stream short is the only honest signal left.
      res.destroy(error as Error);
    } finally {
      // Stopped early (the client left): let the reader drop its prefetched batch.
      await lines.return(undefined).catch(() => {});
    }
  };
}
