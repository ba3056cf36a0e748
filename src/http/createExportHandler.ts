import { once } from 'node:events';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import { toHistoryFilter } from '../graphql/index.js';
import { exportHeader, type ExportFormat, type HistoryReader } from '../store/index.js';
import { parseExportQuery } from './parseExportQuery.js';

const formats = {
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', lineBreak: '\n' },
  csv: { contentType: 'text/csv; charset=utf-8', lineBreak: '\r\n' },
} as const satisfies Record<ExportFormat, unknown>;

/**
 * GET /export/history.ndjson and .csv: the filtered ledger, newest first, streamed row by
 * row with back-pressure, so memory stays flat at a million rows.
 */
export function createExportHandler(history: HistoryReader, logger: Logger, format: ExportFormat): RequestHandler {
  const { contentType, lineBreak } = formats[format];
  return async (req, res) => {
    let filter;
    try {
      filter = toHistoryFilter(parseExportQuery(req.query as Record<string, string | string[] | undefined>));
    } catch (error) {
      if (!isAppError(error)) throw error;
      res
        .status(400)
        .json({ errors: [{ message: error.message, extensions: { code: error.code, reason: error.reason } }] });
      return;
    }
    res.status(200).type(contentType);
    res.setHeader('content-disposition', `attachment; filename="history.${format}"`);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    // Lines are gathered into ~64 KB writes: one write per row costs more than the row itself.
    let pending = exportHeader(format);
    const flush = async () => {
      const ok = res.write(pending);
      pending = '';
      if (!ok) await once(res, 'drain', { signal: abort.signal });
    };
    try {
      for await (const { line } of history.exportLines(filter, format)) {
        if (abort.signal.aborted) break;
        pending += line + lineBreak;
        if (pending.length >= 65_536) await flush();
      }
      res.end(pending);
    } catch (error) {
      if (abort.signal.aborted) return;
      logger.error({ err: error }, 'history export failed');
      // Headers are gone: cutting the stream short is the only honest signal left.
      res.destroy(error as Error);
    }
  };
}
