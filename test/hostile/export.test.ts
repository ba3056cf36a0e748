import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { seedRow } from '../helpers/seedLedger.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

/** Texts a spreadsheet would run as a formula once it trims or folds them, each behind something it skips. */
const FORMULAS = [
  ' =1+1',
  '\t=1+1',
  '\n=1+1',
  '\r\n=1+1',
  '\u00a0=1+1',
  '\u3000=1+1',
  '  \u00a0 +1',
  '\uff1dHYPERLINK("x")',
  '\uff0b1',
  '\uff0d1',
  '\uff20SUM(1)',
  '\u00a0\uff1d1',
];

describe.each(DATABASES)('the export against a hostile client on %s', (kind) => {
  let t: TestApp;
  const base = () => t.url.replace(/\/graphql$/, '');

  beforeAll(async () => {
    t = await startTestApp(kind);
    for (const [i, text] of FORMULAS.entries()) {
      await seedRow(t.app.store.descriptions, {
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
        prompt: `formula ${i}`,
        text,
      });
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    ['an integer beyond 32 bits', 'minInputTokens=99999999999'],
    ['a negative integer', 'maxLatencyMs=-5'],
    ['an integer in exponent form', 'minTotalTokens=1e3'],
    ['a NUL in search', 'search=a%00b'],
    ['an escape character in clientRequestId', 'clientRequestId=%1B'],
    ['an over-long search', `search=${'x'.repeat(201)}`],
    ['a date that is not an instant', 'createdAfter=yesterday'],
    ['a date out of range', 'createdBefore=99999-01-01T00:00:00Z'],
    ['a decimal that is not one', 'minCostUsd=1%2C5'],
    ['an unknown status', 'status=DONE'],
    ['an unknown api', 'api=SOAP'],
    ['101 model ids', `modelId=${Array.from({ length: 101 }, (_, i) => `m${i}`).join(',')}`],
    ['a malformed sha256', 'imageSha256=zz'],
    ['an unknown parameter', 'colour=red'],
    ['an inverted range', 'minInputTokens=5&maxInputTokens=1'],
  ])('answers %s with a 400 JSON error, in both formats', async (_name, query) => {
    for (const format of ['csv', 'ndjson']) {
      const res = await fetch(`${base()}/export/history.${format}?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'FILTER_INVALID' });
    }
  });

  it('guards every cell a spreadsheet would run as a formula after trimming or folding full-width signs', async () => {
    const csv = await (await fetch(`${base()}/export/history.csv?search=formula`)).text();
    const textColumn = csv.split('\r\n')[0]!.split(',').indexOf('text');
    expect(textColumn).toBeGreaterThan(0);
    const ndjson = (await (await fetch(`${base()}/export/history.ndjson?search=formula`)).text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { prompt: string; text: string });
    expect(ndjson).toHaveLength(FORMULAS.length);
    // NDJSON is data, not a sheet: every text as written.
    expect(new Set(ndjson.map((row) => row.text))).toEqual(new Set(FORMULAS));
    for (const text of FORMULAS) {
      const quoted = /[",\r\n]/.test(`'${text}`) ? `"'${text.replace(/"/g, '""')}"` : `'${text}`;
      expect(csv, JSON.stringify(text)).toContain(`,${quoted},`);
    }
  });
});
