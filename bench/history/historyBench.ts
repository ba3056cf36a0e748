import { DEFAULT_POSTGRES_POOL } from '../../src/config.js';
/**
 * History at scale: the ledger's read paths on a million rows of PostgreSQL.
 *
 * Seeds `bvg_bench` once (1 000 000 requests over the last 365 days, ~1.4 M image links, 50 000
 * images; reused by later runs, `--reseed` starts over), then times through the store API:
 * first pages (unfiltered, each filter alone, each ordering), keyset pages deep in the ledger, text
 * searches, the unfiltered count, a 30-day usage summary, and the NDJSON export over HTTP from the
 * app in a process of its own (rows/s and that process's peak RSS). Each query's PostgreSQL plan
 * (the SQL the store builds, EXPLAIN ANALYZE) is checked for a sequential scan of description_request.
 *
 *   tsc -p tsconfig.bench.json && node dist/bench/history/historyBench.js [--reseed] [--runs=30] [--warmup=3]
 *     [--rows=1000000] [--db=bvg_bench] [--no-export] [--plans] [--wait-quiet]
 *
 * --wait-quiet waits (up to 20 min) for the 1-minute load average to drop below 1 before timing;
 * --plans prints every JSON plan. Only databases named bvg_bench* are created or dropped.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { Prisma } from '../../src/generated/prisma/client.js';
import { exportBatchSql } from '../../src/store/exportBatchSql.js';
import { historyPageSql, historyWhereSql } from '../../src/store/historySql.js';
import { usageSummarySql } from '../../src/store/usageSummarySql.js';
import {
  openStore,
  type HistoryFilter,
  type HistoryKey,
  type HistoryOrder,
  type Store,
  type UsageGroupBy,
} from '../../src/store/index.js';
import { explainPlan, type PlanSummary } from './explainPlan.js';
import type { ExportServerMessage } from './exportServer.js';
import { ABSENT_WORD, RARE_WORD, imageSha256Sql, seedHistory } from './seedHistory.js';

const MB = 1024 * 1024;
const PAGE_SIZE = 20;
const TARGET = { pageMs: 5, searchMs: 50, summaryMs: 200, exportRowsPerSecond: 50_000, exportRssMb: 200 };
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
/** Written as the database's COMMENT once seeding has finished; bump the version when the seed changes. */
// v3: rows carry tags and service tiers (the cost_truth migration); a v2 database is seeded again.
const SEED_MARKER = 'bvg-bench seeded v3';

function parseArgs(argv: readonly string[]) {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const int = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const db = value('db') ?? 'bvg_bench';
  if (!/^bvg_bench[a-z0-9_]*$/.test(db)) throw new Error('--db must be bvg_bench or bvg_bench_<suffix>');
  const known = new Set(['reseed', 'no-export', 'plans', 'wait-quiet', 'db', 'rows', 'runs', 'warmup']);
  for (const arg of argv) {
    if (!known.has(arg.replace(/^--/, '').replace(/=.*$/, ''))) throw new Error(`Unknown argument ${arg}`);
  }
  return {
    reseed: argv.includes('--reseed'),
    exportRun: !argv.includes('--no-export'),
    printPlans: argv.includes('--plans'),
    waitQuiet: argv.includes('--wait-quiet'),
    db,
    rows: int('rows', 1_000_000),
    runs: int('runs', 30),
    warmUp: int('warmup', 3),
  };
}

type Options = ReturnType<typeof parseArgs>;

const log = (message: string) => console.error(`[bench] ${message}`);

async function withClient<T>(url: string, f: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

/** What the database holds: whether a previous run finished seeding it, and with how many rows. */
async function seededState(url: string, rows: number): Promise<{ seeded: boolean; marker: string | null }> {
  return withClient(url, async (client) => {
    const { rows: marker } = await client.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()`,
    );
    const comment = marker[0]?.comment ?? null;
    const { rows: table } = await client.query<{ t: string | null }>(
      `SELECT to_regclass('public.description_request')::text AS t`,
    );
    if (table[0]?.t === null) return { seeded: false, marker: comment };
    const { rows: count } = await client.query<{ n: string }>('SELECT count(*) AS n FROM "description_request"');
    const held = Number(count[0]?.n ?? 0);
    const seeded = held >= rows && comment?.startsWith(SEED_MARKER) === true;
    if (!seeded && held > 0) log(`${held} rows but no finished seeding (${comment ?? 'no marker'}): starting over`);
    return { seeded, marker: comment };
  });
}

async function recreateDatabase(db: string): Promise<void> {
  await withClient(ADMIN_URL, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${db}`);
  });
}

async function ensureDatabase(db: string, reseed: boolean): Promise<void> {
  await withClient(ADMIN_URL, async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (reseed && rowCount) {
      log(`--reseed: dropping ${db}`);
      await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
    }
    if (reseed || !rowCount) await admin.query(`CREATE DATABASE ${db}`);
  });
}

async function countMatching(client: pg.Client, filter: HistoryFilter): Promise<number> {
  const query = Prisma.sql`SELECT count(*) AS n FROM "description_request" d WHERE ${historyWhereSql(filter)}`;
  const { rows } = await client.query<{ n: string }>(query.text, query.values);
  return Number(rows[0]?.n);
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** Waits (up to `maxMinutes`) for the 1-minute load average to fall below `below`: other work on the machine skews timings. */
async function waitForQuiet(below: number, maxMinutes: number): Promise<void> {
  const deadline = Date.now() + maxMinutes * 60_000;
  while ((loadavg()[0] ?? 0) >= below && Date.now() < deadline) {
    log(`load average ${loadAverage()} (1/5/15 min): waiting for < ${below}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

async function timeIt(options: Options, run: () => Promise<unknown>) {
  for (let i = 0; i < options.warmUp; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
}

type Kind = 'page' | 'search' | 'summary' | 'count';

interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly run: () => Promise<number>;
  /** The SQL the store sends for it (the id query of a page). */
  readonly sql: Prisma.Sql;
  /** Rows the filter matches (counted once, for context). */
  readonly filter?: HistoryFilter;
}

interface Result {
  readonly name: string;
  readonly kind: Kind;
  readonly matching: number | undefined;
  readonly returned: number;
  readonly p50: number;
  readonly p95: number;
  readonly plan: PlanSummary;
}

const targetOf = (kind: Kind): number | undefined =>
  ({ page: TARGET.pageMs, search: TARGET.searchMs, summary: TARGET.summaryMs, count: undefined })[kind];

/** A first page (or the page after `after`) as the GraphQL resolver asks for it. */
function pageCase(
  store: Store,
  name: string,
  kind: Kind,
  filter: HistoryFilter,
  order: HistoryOrder = { field: 'CREATED_AT', direction: 'DESC' },
  after?: HistoryKey,
): Case {
  return {
    name,
    kind,
    filter,
    run: async () =>
      (await store.history.listHistory(filter, order, { direction: 'forward', size: PAGE_SIZE, after })).records.length,
    sql: historyPageSql(filter, order, order.direction, after, PAGE_SIZE + 1),
  };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const int = (n: number) => n.toLocaleString('en-US');

async function datasetFacts(client: pg.Client) {
  const one = async <T extends Record<string, unknown>>(sql: string, values: unknown[] = []) =>
    (await client.query<T>(sql, values)).rows[0] as T;
  const counts = await one<{ requests: string; links: string; images: string; first: Date; last: Date }>(
    `SELECT (SELECT count(*) FROM "description_request") AS requests, (SELECT count(*) FROM "description_image") AS links,
       (SELECT count(*) FROM "image") AS images, (SELECT min("createdAt") FROM "description_request") AS first,
       (SELECT max("createdAt") FROM "description_request") AS last`,
  );
  const mix = await client.query<{ status: string; n: string }>(
    `SELECT status::text, count(*) AS n FROM "description_request" GROUP BY 1 ORDER BY 1`,
  );
  const shape = await one<{ models: string; bases: string; text_avg: string; text_min: number; text_max: number }>(
    `SELECT count(DISTINCT "modelId") AS models, count(DISTINCT "baseModelId") AS bases,
       round(avg(length(text))) AS text_avg, min(length(text)) AS text_min, max(length(text)) AS text_max
     FROM "description_request"`,
  );
  const sizes = await one<{ heap: string; indexes: string; links: string }>(
    `SELECT pg_size_pretty(pg_table_size('description_request')) AS heap,
       pg_size_pretty(pg_indexes_size('description_request')) AS indexes,
       pg_size_pretty(pg_total_relation_size('description_image')) AS links`,
  );
  const server = await one<{ version: string; shared_buffers: string; work_mem: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS shared_buffers,
       current_setting('work_mem') AS work_mem`,
  );
  return { counts, mix: mix.rows, shape, sizes, server };
}

/** Count of newline bytes in the NDJSON export over HTTP, and how long it took. */
function fetchExport(port: number): Promise<{ lines: number; bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get({ host: '127.0.0.1', port, path: '/export/history.ndjson' }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`export answered ${response.statusCode}`));
        response.resume();
        return;
      }
      let lines = 0;
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      });
      response.on('end', () => resolve({ lines, bytes, seconds: (performance.now() - started) / 1000 }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

const HTTP_PAGE = /* GraphQL */ `
  query Page($filter: HistoryFilter) {
    history(filter: $filter, first: 20) {
      edges {
        cursor
        node {
          id
          createdAt
          status
          modelId
          prompt
          text
          costUsd
          latencyMs
          usage {
            totalTokens
          }
          images {
            sha256
            width
            height
          }
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;

/** Requests a new server answers before the steady-state timing: enough for V8 to have optimised the request path. */
const HTTP_WARM_UP = 500;
/** Timed requests per shape at steady state: a p50 over 30 moves by a millisecond from run to run. */
const HTTP_STEADY_RUNS = 300;

/**
 * A history page as a client sees it: POST /graphql to the app, JSON parsed, p50/p95. Twice: right after the server
 * started (the benchmark's usual warm-up and runs, which a new replica's first clients see), and at steady state,
 * after HTTP_WARM_UP more pages, which is what a running server answers (issue 10's target is that p50).
 */
async function graphqlOverHttp(port: number, options: Options) {
  const page = async (filter: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: HTTP_PAGE, variables: { filter } }),
    });
    const body = (await response.json()) as { data?: { history: { edges: unknown[] } }; errors?: unknown };
    if (body.errors !== undefined || body.data === undefined) throw new Error(JSON.stringify(body.errors));
    return body.data.history.edges.length;
  };
  const first = await timeIt(options, () => page({}));
  const filtered = await timeIt(options, () => page({ minCostUsd: '0.05' }));
  for (let i = 0; i < HTTP_WARM_UP; i++) await page(i % 2 === 0 ? {} : { minCostUsd: '0.05' });
  const steady = { ...options, warmUp: 0, runs: HTTP_STEADY_RUNS };
  return {
    first,
    filtered,
    steadyFirst: await timeIt(steady, () => page({})),
    steadyFiltered: await timeIt(steady, () => page({ minCostUsd: '0.05' })),
  };
}

/**
 * The app as `npm start` runs it, in a process of its own (bench/history/exportServer.ts), for `use`; stopped after.
 */
async function withAppProcess<T>(url: string, use: (app: AppProcess) => Promise<T>): Promise<T> {
  const child = fork(new URL('./exportServer.js', import.meta.url), [url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the app process (exportServer) exited early (code ${code})`))),
  );
  exited.catch(() => {});
  const next = <K extends ExportServerMessage['type']>(type: K) =>
    Promise.race([
      new Promise<Extract<ExportServerMessage, { type: K }>>((resolve) => {
        const listener = (message: ExportServerMessage) => {
          if (message.type !== type) return;
          child.off('message', listener);
          resolve(message as Extract<ExportServerMessage, { type: K }>);
        };
        child.on('message', listener);
      }),
      exited,
    ]);
  try {
    const ready = await next('ready');
    return await use({ ready, send: (message) => child.send(message), next });
  } finally {
    if (child.exitCode === null) {
      child.send('stop');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (child.exitCode === null) child.kill();
    }
  }
}

interface AppProcess {
  readonly ready: Extract<ExportServerMessage, { type: 'ready' }>;
  readonly send: (message: 'reset' | 'report') => void;
  readonly next: <K extends ExportServerMessage['type']>(type: K) => Promise<Extract<ExportServerMessage, { type: K }>>;
}

/**
 * The real doors of the app: history pages over GraphQL, then the export (GET /export/history.ndjson) with the
 * server's RSS. Each in a server of its own: a thousand pages first would raise the RSS the export starts from.
 */
async function exportOverHttp(url: string, options: Options) {
  const graphql = await withAppProcess(url, ({ ready }) => graphqlOverHttp(ready.port, options));
  return withAppProcess(url, async ({ ready, send, next }) => {
    send('reset');
    const before = await next('reset');
    const result = await fetchExport(ready.port);
    send('report');
    const report = await next('report');
    return { ...result, graphql, startRss: ready.rss, baselineRss: before.rss, ...report };
  });
}

/** exportLines in this process, for comparison (no HTTP): what the store alone delivers. */
async function exportInProcess(store: Store) {
  let peak = process.memoryUsage().rss;
  const baseline = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = performance.now();
  let rows = 0;
  try {
    for await (const row of store.history.exportLines({}, 'ndjson')) if (row.id) rows++;
  } finally {
    clearInterval(sampler);
  }
  return { rows, seconds: (performance.now() - started) / 1000, peakRss: peak, baselineRss: baseline };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const url = `postgresql://postgres@127.0.0.1:5432/${options.db}`;
  const cpu = cpus();
  console.log(`# History benchmark\n`);
  console.log(`- Node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'})`);

  await ensureDatabase(options.db, options.reseed);
  let state = await seededState(url, options.rows);
  if (!state.seeded && state.marker === null) {
    // A database left half-seeded by an interrupted run: start from an empty one.
    const dirty = await withClient(url, async (c) => {
      const { rows } = await c.query<{ t: string | null }>(
        `SELECT to_regclass('public.description_request')::text AS t`,
      );
      if (rows[0]?.t === null) return false;
      return (await c.query('SELECT 1 FROM "description_request" LIMIT 1')).rowCount !== 0;
    });
    if (dirty) await recreateDatabase(options.db);
  } else if (!state.seeded) {
    await recreateDatabase(options.db);
  }

  const migrationLog = { info: (m: string) => log(m), warn: (m: string) => log(`warning: ${m}`) };
  const store = await openStore({ kind: 'postgres', url, ...DEFAULT_POSTGRES_POOL }, { log: migrationLog });
  let seedLine: string;
  try {
    if (!state.seeded) {
      log(`seeding ${options.db} with ${int(options.rows)} requests`);
      const report = await seedHistory({ url, rows: options.rows, images: 50_000, log });
      const steps = report.steps.map(([s, t]) => `${s} ${t.toFixed(1)} s`).join('; ');
      const took = `${report.seconds.toFixed(1)} s (${steps})`;
      seedLine = `seeded in this run in ${took}`;
      const marker = `${SEED_MARKER} on ${new Date().toISOString()} in ${took}`;
      await withClient(url, (c) => c.query(`COMMENT ON DATABASE ${options.db} IS ${pg.escapeLiteral(marker)}`));
      state = { seeded: true, marker };
    } else {
      seedLine = `reused (${state.marker ?? ''})`;
    }
    // What autovacuum does soon after any bulk change, e.g. a migration that has just rewritten a
    // table: the visibility map lets index-only scans skip the heap, and the statistics are fresh.
    const vacuumStarted = performance.now();
    await withClient(url, (c) => c.query('VACUUM (ANALYZE) "description_request", "description_image"'));
    log(`VACUUM (ANALYZE): ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
    await runBenchmark(options, url, store, seedLine);
  } finally {
    await store.close();
  }
}

async function runBenchmark(options: Options, url: string, store: Store, seedLine: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const facts = await datasetFacts(client);
    const cpu = cpus();
    console.log(
      `- PostgreSQL ${facts.server.version} (shared_buffers ${facts.server.shared_buffers}, work_mem ${facts.server.work_mem}), database ${options.db}`,
    );
    console.log(
      `- Dataset: ${int(Number(facts.counts.requests))} requests (${facts.mix.map((m) => `${m.status} ${int(Number(m.n))}`).join(', ')}), ` +
        `${int(Number(facts.counts.links))} image links, ${int(Number(facts.counts.images))} images, ` +
        `${facts.shape.models} model ids / ${facts.shape.bases} base models, descriptions ${facts.shape.text_min}–${facts.shape.text_max} chars (avg ${facts.shape.text_avg}), ` +
        `${facts.counts.first.toISOString()} → ${facts.counts.last.toISOString()}`,
    );
    console.log(
      `- Sizes: description_request heap ${facts.sizes.heap}, its indexes ${facts.sizes.indexes}; description_image ${facts.sizes.links}`,
    );
    console.log(`- Seeding: ${seedLine}`);
    if (options.waitQuiet) await waitForQuiet(1, 20);
    console.log(
      `- Load average (1/5/15 min) before measuring: ${loadAverage()} (other processes on the machine skew timings)`,
    );
    console.log(
      `- Timing: ${options.warmUp} warm-up + ${options.runs} timed runs per query, around the store call; page size ${PAGE_SIZE}; ${cpu.length} CPUs shared by PostgreSQL and Node\n`,
    );

    // Values taken from the data, so the cases stay meaningful whatever the seed drew.
    const scalar = async <T>(sql: string) => (await client.query<{ v: T }>(sql)).rows[0]?.v as T;
    const popularImage = await scalar<string>(
      `SELECT "imageSha256" AS v FROM "description_image" GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    );
    const popularLinks = await scalar<string>(
      `SELECT count(*) AS v FROM "description_image" WHERE "imageSha256" = ${pg.escapeLiteral(popularImage)}`,
    );
    const typicalImage = await scalar<string>(`SELECT ${imageSha256Sql('25000')} AS v`);
    const clientRequestId = await scalar<string>(
      `SELECT "clientRequestId" AS v FROM "description_request" WHERE "clientRequestId" IS NOT NULL
       AND "createdAt" < (SELECT max("createdAt") - interval '200 days' FROM "description_request") ORDER BY "createdAt" DESC LIMIT 1`,
    );
    const keyAt = async (orderBy: string, column: string, offset: number): Promise<HistoryKey> => {
      const { rows } = await client.query<{ id: string; value: Date | string | number | null }>(
        `SELECT d."id"::text AS id, ${column} AS value FROM "description_request" d ORDER BY ${orderBy} OFFSET ${offset} LIMIT 1`,
      );
      const row = rows[0];
      if (row === undefined) throw new Error(`no row at offset ${offset}`);
      return { id: row.id, value: row.value instanceof Date ? row.value.toISOString() : row.value };
    };
    const half = Math.floor(Number(facts.counts.requests) / 2);
    const deepCreated = await keyAt('d."createdAt" DESC, d."id" DESC', 'd."createdAt"', half - 1);
    const deepCostAsc = await keyAt('d."costUsd" ASC, d."id" ASC', 'd."costUsd"::text', half - 1);
    // Inside the run of NULL costs (the FAILED rows, ~6 %), which COST DESC lists first.
    const failed = Number(facts.mix.find((m) => m.status === 'FAILED')?.n ?? 0);
    const intoNulls = Math.max(1, Math.min(30_000, Math.floor(failed / 2)));
    const nullCostDesc = await keyAt('d."costUsd" DESC, d."id" DESC', 'd."costUsd"::text', intoNulls - 1);
    const last = facts.counts.last;
    const summaryFilter: HistoryFilter = {
      createdAfter: new Date(last.getTime() + 1 - 30 * 86_400_000),
      createdBefore: new Date(last.getTime() + 1),
    };
    const groupBy: UsageGroupBy[] = ['MODEL', 'DAY'];

    const cases: Case[] = [
      pageCase(store, 'First page, no filter (CREATED_AT DESC)', 'page', {}),
      pageCase(store, 'Filter created in one week, 100 days ago', 'page', {
        createdAfter: new Date(last.getTime() - 107 * 86_400_000),
        createdBefore: new Date(last.getTime() - 100 * 86_400_000),
      }),
      pageCase(store, 'Filter status = FAILED', 'page', { status: ['FAILED'] }),
      pageCase(store, 'Filter modelId = claude-sonnet-4-5 (base id; global. + us. rows)', 'page', {
        baseModelId: ['anthropic.claude-sonnet-4-5-20250929-v1:0'],
      }),
      pageCase(store, 'Filter api = INVOKE_MODEL', 'page', { api: ['INVOKE_MODEL'] }),
      pageCase(store, 'Filter inputTokens ≥ 4000', 'page', { inputTokens: { min: 4000 } }),
      pageCase(store, 'Filter outputTokens 130–140', 'page', { outputTokens: { min: 130, max: 140 } }),
      pageCase(store, 'Filter inputTokens ≥ 6000 (beyond the largest: no match)', 'page', {
        inputTokens: { min: 6000 },
      }),
      pageCase(store, 'Filter outputTokens ≥ 170 (beyond the largest: no match)', 'page', {
        outputTokens: { min: 170 },
      }),
      pageCase(store, 'Filter totalTokens 3000–3100', 'page', { totalTokens: { min: 3000, max: 3100 } }),
      pageCase(store, 'Filter costUsd ≥ 0.05', 'page', { costUsd: { min: '0.05' } }),
      pageCase(store, 'Filter latencyMs ≥ 15000', 'page', { latencyMs: { min: 15_000 } }),
      pageCase(store, 'Filter errorCode = UPSTREAM_TIMEOUT', 'page', { errorCode: 'UPSTREAM_TIMEOUT' }),
      pageCase(store, `Filter imageSha256 = most used image (${int(Number(popularLinks))} links)`, 'page', {
        imageSha256: popularImage,
      }),
      pageCase(store, 'Filter imageSha256 = most used image, created in one week 100 days ago', 'page', {
        imageSha256: popularImage,
        createdAfter: new Date(last.getTime() - 107 * 86_400_000),
        createdBefore: new Date(last.getTime() - 100 * 86_400_000),
      }),
      pageCase(store, 'Filter imageSha256 = a typical image', 'page', { imageSha256: typicalImage }),
      pageCase(store, 'Filter clientRequestId (a 200-day-old request)', 'page', { clientRequestId }),
      ...(['COST', 'TOTAL_TOKENS', 'LATENCY'] as const).flatMap((field) =>
        (['ASC', 'DESC'] as const).map((direction) =>
          pageCase(store, `Order ${field} ${direction}, first page`, 'page', {}, { field, direction }),
        ),
      ),
      pageCase(store, `Page after ${int(half)} rows (CREATED_AT DESC, keyset)`, 'page', {}, undefined, deepCreated),
      pageCase(
        store,
        `Page after ${int(half)} rows (COST ASC, keyset)`,
        'page',
        {},
        { field: 'COST', direction: 'ASC' },
        deepCostAsc,
      ),
      pageCase(
        store,
        `Page after ${int(intoNulls)} rows (COST DESC, inside the NULL costs)`,
        'page',
        {},
        { field: 'COST', direction: 'DESC' },
        nullCostDesc,
      ),
      // A filter that no NULL-cost row passes (every SUCCEEDED row has a cost): the NULL side of the page is empty.
      pageCase(
        store,
        `Filter status = SUCCEEDED, page after ${int(half)} rows (COST ASC)`,
        'page',
        { status: ['SUCCEEDED'] },
        { field: 'COST', direction: 'ASC' },
        deepCostAsc,
      ),
      pageCase(
        store,
        'Filter status = SUCCEEDED, page after a NULL cost (COST DESC)',
        'page',
        { status: ['SUCCEEDED'] },
        { field: 'COST', direction: 'DESC' },
        nullCostDesc,
      ),
      // Tags (see seedHistory TAGS_SQL): "all of these" is one jsonb containment, answered by the GIN index.
      pageCase(store, 'Filter tags team=vision (common tag, 50 %)', 'page', { tags: ['team=vision'] }),
      pageCase(store, 'Filter tags team=vision, feature=feature-7 (2.5 %)', 'page', {
        tags: ['feature=feature-7', 'team=vision'],
      }),
      pageCase(store, 'Filter tags customer=c4242 (rare tag, ~30 rows)', 'page', { tags: ['customer=c4242'] }),
      pageCase(store, 'Filter tags customer=nobody (no match)', 'page', { tags: ['customer=nobody'] }),
      pageCase(
        store,
        'Filter tags customer=c4242, COST DESC',
        'page',
        { tags: ['customer=c4242'] },
        {
          field: 'COST',
          direction: 'DESC',
        },
      ),
      pageCase(store, 'Filter serviceTier = PRIORITY (3 %)', 'page', { serviceTier: ['PRIORITY'] }),
      pageCase(store, `Search "${RARE_WORD}" (rare word), first page`, 'search', { search: RARE_WORD }),
      pageCase(store, 'Search "harbour" (common word), first page', 'search', { search: 'harbour' }),
      pageCase(store, 'Search "rusty ladder" (two common words), first page', 'search', { search: 'rusty ladder' }),
      pageCase(store, `Search "${ABSENT_WORD}" (no match), first page`, 'search', { search: ABSENT_WORD }),
      {
        name: 'Usage summary, last 30 days, by MODEL and DAY',
        kind: 'summary',
        filter: summaryFilter,
        run: async () => (await store.history.usageSummary(summaryFilter, groupBy, 'UTC')).length,
        sql: usageSummarySql(summaryFilter, groupBy, 'UTC'),
      },
      {
        name: 'Usage summary, last 30 days, by SERVICE_TIER and tag team',
        kind: 'summary',
        filter: summaryFilter,
        run: async () => (await store.history.usageSummary(summaryFilter, ['SERVICE_TIER'], 'UTC', 'team')).length,
        sql: usageSummarySql(summaryFilter, ['SERVICE_TIER'], 'UTC', 'team'),
      },
      {
        name: 'countHistory, no filter (information)',
        kind: 'count',
        run: () => store.history.countHistory({}),
        // As createHistoryReader.countHistory builds it.
        sql: Prisma.sql`SELECT count(*)::int AS n FROM "description_request" d WHERE ${historyWhereSql({})}`,
      },
    ];

    // JIT-compile the store's code paths and load the hot index pages before anything is timed.
    for (let i = 0; i < 50; i++) await cases[0]?.run();

    const results: Result[] = [];
    for (const c of cases) {
      const returned = await c.run();
      const timing = await timeIt(options, c.run);
      const plan = await explainPlan(client, c.sql);
      const matching =
        c.filter === undefined || c.kind === 'summary' ? undefined : await countMatching(client, c.filter);
      const result = { name: c.name, kind: c.kind, matching, returned, ...timing, plan };
      results.push(result);
      log(
        `${c.name}: p50 ${fmt(timing.p50)} ms, p95 ${fmt(timing.p95)} ms, db ${fmt(plan.executionMs ?? NaN)} ms, ${plan.scans.join(' + ')}`,
      );
    }

    console.log('## Queries\n');
    console.log(
      '| # | Query | Matching rows | Rows returned | p50 ms | p95 ms | Target (p50) | Met? | Seq Scan on description_request? | DB execution ms (EXPLAIN ANALYZE) | Plan scans |',
    );
    console.log('|---|---|---:|---:|---:|---:|---|---|---|---:|---|');
    results.forEach((r, i) => {
      const target = targetOf(r.kind);
      const met = target === undefined ? 'info' : r.p50 <= target ? 'met' : '**MISSED**';
      const matching = r.matching === undefined ? '' : r.matching === 0 && r.kind !== 'search' ? '0' : int(r.matching);
      const matchingCell = r.name.startsWith('Page after') ? 'all (keyset)' : r.matching === undefined ? '—' : matching;
      console.log(
        `| ${i + 1} | ${r.name} | ${matchingCell} | ${r.returned} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${target === undefined ? '—' : `≤ ${target} ms`} | ${met} | ${r.plan.seqScanOnRequests ? '**yes**' : 'no'} | ${fmt(r.plan.executionMs ?? NaN)} | ${r.plan.scans.join(' + ')} |`,
      );
    });

    // Export: the plan of a first batch and of a batch deep in the ledger, then the real door.
    const exportFirst = await explainPlan(client, exportBatchSql({}, 'ndjson', undefined, 2000));
    const exportDeep = await explainPlan(client, exportBatchSql({}, 'ndjson', deepCreated, 2000));
    console.log('\n## Export (all rows, newest first)\n');
    console.log(
      `Plans of exportBatchSql (2000 rows): first batch ${exportFirst.seqScanOnRequests ? '**Seq Scan**' : 'no Seq Scan'} on description_request ` +
        `(${fmt(exportFirst.executionMs ?? NaN)} ms: ${exportFirst.scans.join(' + ')}); batch after ${int(half)} rows ` +
        `${exportDeep.seqScanOnRequests ? '**Seq Scan**' : 'no Seq Scan'} (${fmt(exportDeep.executionMs ?? NaN)} ms: ${exportDeep.scans.join(' + ')})\n`,
    );
    if (options.exportRun) {
      log('export over HTTP…');
      const viaHttp = await exportOverHttp(url, options);
      log('export in process…');
      const inProcess = await exportInProcess(store);
      const rate = viaHttp.lines / viaHttp.seconds;
      const peakMb = viaHttp.peakRss / MB;
      const exportMet = rate >= TARGET.exportRowsPerSecond && peakMb <= TARGET.exportRssMb;
      console.log('| Export | Rows | Seconds | Rows/s | Peak RSS | Target | Met? |');
      console.log('|---|---:|---:|---:|---:|---|---|');
      console.log(
        `| GET /export/history.ndjson (app in its own process via startApp; ${(viaHttp.bytes / MB).toFixed(0)} MB of NDJSON) | ${int(viaHttp.lines)} | ${viaHttp.seconds.toFixed(1)} | ${int(Math.round(rate))} | ${peakMb.toFixed(0)} MB (server process, sampled every 10 ms; ${(viaHttp.baselineRss / MB).toFixed(0)} MB before the export; kernel VmHWM ${viaHttp.vmHwm === undefined ? 'n/a' : `${(viaHttp.vmHwm / MB).toFixed(0)} MB`}) | ≥ ${int(TARGET.exportRowsPerSecond)} rows/s within ${TARGET.exportRssMb} MB | ${exportMet ? 'met' : '**MISSED**'} |`,
      );
      console.log(
        `| history.exportLines({}, 'ndjson') in the benchmark process (no HTTP; information) | ${int(inProcess.rows)} | ${inProcess.seconds.toFixed(1)} | ${int(Math.round(inProcess.rows / inProcess.seconds))} | ${(inProcess.peakRss / MB).toFixed(0)} MB (benchmark process peak, ${(inProcess.baselineRss / MB).toFixed(0)} MB before) | — | info |`,
      );
      const { graphql } = viaHttp;
      const steadyMet = graphql.steadyFirst.p50 <= TARGET.pageMs && graphql.steadyFiltered.p50 <= TARGET.pageMs;
      console.log('\n## Through GraphQL over HTTP\n');
      console.log(
        `| Query | just started: p50 / p95 ms (${options.warmUp} warm-up, ${options.runs} runs) | steady state: p50 / p95 ms (after ${HTTP_WARM_UP} pages, ${HTTP_STEADY_RUNS} runs) | Target (steady p50) | Met? |`,
      );
      console.log('|---|---:|---:|---|---|');
      const row = (name: string, started: typeof graphql.first, steady: typeof graphql.first) =>
        console.log(
          `| ${name} | ${fmt(started.p50)} / ${fmt(started.p95)} | ${fmt(steady.p50)} / ${fmt(steady.p95)} | ≤ ${TARGET.pageMs} ms | ${steady.p50 <= TARGET.pageMs ? 'met' : '**MISSED**'} |`,
        );
      row('POST /graphql history(first: 20), 11 fields and images, no filter', graphql.first, graphql.steadyFirst);
      row('The same with minCostUsd: "0.05"', graphql.filtered, graphql.steadyFiltered);
      if (!steadyMet) console.log('\nTarget missed: a history page through POST /graphql at steady state.');
      if (viaHttp.lines !== Number(facts.counts.requests)) {
        console.log(`\n**Export returned ${viaHttp.lines} lines for ${facts.counts.requests} rows.**`);
      }
    }

    const seqScans = results.filter((r) => r.plan.seqScanOnRequests).map((r) => r.name);
    const missed = results.filter((r) => {
      const t = targetOf(r.kind);
      return t !== undefined && r.p50 > t;
    });
    console.log(`\nLoad average (1/5/15 min) after measuring: ${loadAverage()}`);
    console.log(`Sequential scans of description_request: ${seqScans.length === 0 ? 'none' : seqScans.join('; ')}`);
    console.log(`Targets missed (queries): ${missed.length === 0 ? 'none' : missed.map((r) => r.name).join('; ')}`);
    if (options.printPlans) {
      for (const r of results)
        console.log(`\n### ${r.name}\n\n\`\`\`json\n${JSON.stringify(r.plan.plan, null, 1)}\n\`\`\``);
    }
  } finally {
    await client.end();
  }
}

await main();
