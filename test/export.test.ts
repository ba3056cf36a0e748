import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { seedRow } from './helpers/seedLedger.js';
import { startTestApp, type TestApp } from './helpers/startTestApp.js';

/** A minimal RFC 4180 reader, enough to check what the export writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      cell += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe.each(DATABASES)('history export on %s', (kind) => {
  let t: TestApp;
  const ids: string[] = [];
  const base = () => t.url.replace(/\/graphql$/, '');

  beforeAll(async () => {
    t = await startTestApp(kind);
    const repo = t.app.store.descriptions;
    for (let i = 0; i < 1_200; i++) {
      ids.push(
        await seedRow(repo, {
          createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
          text: i === 7 ? 'Tricky, "quoted"\nmultiline =SUM(A1)' : `Row ${i}`,
          modelId: i % 2 === 0 ? 'amazon.nova-lite-v1:0' : 'anthropic.claude-3-haiku-20240307-v1:0',
          fail: i % 100 === 0 ? 'UPSTREAM_TIMEOUT' : undefined,
        }),
      );
    }
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('streams every row as NDJSON, newest first, across batches of 1000', async () => {
    const res = await fetch(`${base()}/export/history.ndjson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...ids].reverse());
    expect(lines[0]).toMatchObject({
      status: 'SUCCEEDED',
      inputTokens: 10,
      costUsd: '0.0001',
      imageSha256s: 'a'.repeat(64),
    });
  });

  it('applies the same filters as history, named the same way', async () => {
    const res = await fetch(`${base()}/export/history.ndjson?status=FAILED&modelId=amazon.nova-lite-v1:0`);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => l.status === 'FAILED' && l.errorCode === 'UPSTREAM_TIMEOUT')).toBe(true);
  });

  it('writes CSV a spreadsheet reads back exactly, without running formulas', async () => {
    const res = await fetch(`${base()}/export/history.csv?search=tricky`);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const [header, row, ...rest] = parseCsv(await res.text());
    expect(rest).toEqual([]);
    expect(header!.slice(0, 4)).toEqual(['id', 'createdAt', 'completedAt', 'status']);
    expect(row![header!.indexOf('id')]).toBe(ids[7]);
    expect(row![header!.indexOf('text')]).toBe('Tricky, "quoted"\nmultiline =SUM(A1)');
  });

  it('refuses a malformed filter with a JSON error before streaming', async () => {
    const res = await fetch(`${base()}/export/history.csv?minLatencyMs=abc`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'FILTER_INVALID',
    });
    const unknown = await fetch(`${base()}/export/history.csv?colour=red`);
    expect(unknown.status).toBe(400);
  });
});
