import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './helpers/databases.js';
import { expectData } from './helpers/graphqlClient.js';
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
  const seeded: { id: string; createdAt: Date }[] = [];
  const base = () => t.url.replace(/\/graphql$/, '');
  /** The export's order: newest first, ties broken by id, descending too. */
  const newestFirst = () =>
    [...seeded]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((r) => r.id);

  beforeAll(async () => {
    t = await startTestApp(kind);
    const repo = t.app.store.descriptions;
    for (let i = 0; i < 1_200; i++) {
      // Rows 100 to 119 share one instant, so batch edges fall inside a run of equal createdAt.
      const createdAt = new Date(Date.UTC(2026, 0, 1) + (i >= 100 && i < 120 ? 100 : i) * 60_000);
      ids.push(
        await seedRow(repo, {
          createdAt,
          text: i === 7 ? 'Tricky, "quoted"\nmultiline =SUM(A1)' : i === 9 ? '@SUM(1)' : `Row ${i}`,
          modelId: i % 2 === 0 ? 'amazon.nova-lite-v1:0' : 'anthropic.claude-3-haiku-20240307-v1:0',
          fail: i % 100 === 0 ? 'UPSTREAM_TIMEOUT' : undefined,
        }),
      );
      seeded.push({ id: ids.at(-1)!, createdAt });
    }
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('streams every row as NDJSON, newest first', async () => {
    const res = await fetch(`${base()}/export/history.ndjson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(newestFirst());
    expect(lines[0]).toMatchObject({
      status: 'SUCCEEDED',
      inputTokens: 10,
      costUsd: '0.0001',
      imageSha256s: 'a'.repeat(64),
    });
  });

  it('reads the ledger in keyset batches without losing or repeating a row at their edges, ties included', async () => {
    for (const batchSize of [7, 600]) {
      // 7 does not divide 1 200 and cuts the run of 20 equal instants; 600 divides it exactly.
      const read: string[] = [];
      for await (const row of t.app.store.history.exportLines({}, 'ndjson', batchSize)) read.push(row.id);
      expect(read).toEqual(newestFirst());
    }
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

  it('writes every column as history shows it, in NDJSON and in CSV alike', async () => {
    const NODE = `{ id createdAt completedAt status modelId api prompt system text stopReason
      usage { inputTokens outputTokens totalTokens } costUsd latencyMs error { code message }
      clientRequestId bedrockRequestId images { sha256 } serviceTier tags usageKnown cachedFromId savedUsd }`;
    for (const status of ['SUCCEEDED', 'FAILED']) {
      const [{ node }] = expectData(
        await t.gql(`query($f: HistoryFilter) { history(filter: $f, first: 1) { edges { node ${NODE} } } }`, {
          f: { status: [status] },
        }),
      ).history.edges;
      const expected = {
        id: node.id,
        createdAt: node.createdAt,
        completedAt: node.completedAt,
        status: node.status,
        modelId: node.modelId,
        api: node.api,
        prompt: node.prompt,
        systemPrompt: node.system,
        text: node.text,
        stopReason: node.stopReason,
        inputTokens: node.usage?.inputTokens ?? null,
        outputTokens: node.usage?.outputTokens ?? null,
        totalTokens: node.usage?.totalTokens ?? null,
        costUsd: node.costUsd,
        latencyMs: node.latencyMs,
        errorCode: node.error?.code ?? null,
        errorMessage: node.error?.message ?? null,
        clientRequestId: node.clientRequestId,
        bedrockRequestId: node.bedrockRequestId,
        imageSha256s: node.images.map((i: { sha256: string }) => i.sha256).join(' '),
        serviceTier: node.serviceTier,
        tags: node.tags.join(';'),
        usageKnown: node.usageKnown,
        cachedFromId: node.cachedFromId,
        savedUsd: node.savedUsd,
      };
      const ndjson = await (await fetch(`${base()}/export/history.ndjson?status=${status}`)).text();
      const firstLine = ndjson.slice(0, ndjson.indexOf('\n'));
      // Key order and bytes as JSON.stringify writes them.
      expect(firstLine).toBe(JSON.stringify(expected));
      const [header, record] = parseCsv(await (await fetch(`${base()}/export/history.csv?status=${status}`)).text());
      expect(header).toEqual(Object.keys(expected));
      expect(record).toEqual(Object.values(expected).map((v) => (v === null ? '' : String(v))));
    }
  });

  it('puts an apostrophe before a text cell a spreadsheet would run as a formula', async () => {
    const csv = await (await fetch(`${base()}/export/history.csv?search=SUM(1)`)).text();
    expect(csv.split('\r\n')[1]).toContain(`,'@SUM(1),`);
    expect(parseCsv(csv)[1]).toContain(`'@SUM(1)`);
    // NDJSON is data, not a sheet: the text stays as written.
    const ndjson = await (await fetch(`${base()}/export/history.ndjson?search=SUM(1)`)).text();
    expect(JSON.parse(ndjson).text).toBe('@SUM(1)');
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
