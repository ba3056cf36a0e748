/**
 * The write path's own cost, three ways, on PostgreSQL and PGlite: the same write-ahead and
 * completion statements sent (1) through the database driver Prisma's adapter holds (what the
 * server does), (2) through Prisma's `$queryRaw`, and (3) as the previous release wrote them
 * with the Prisma client (a transaction of createMany + create with nested links, then a
 * read-back; an update, then a read-back). It times sequential round trips in one process and
 * the CPU they cost, which is what decides the choice; the end-to-end figures are
 * `npm run bench:overhead`'s.
 *
 *   npm run bench:write-path [-- --iterations 2000]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient, type Prisma } from '../../src/generated/prisma/client.js';
import { applyMigrations } from '../../src/store/applyMigrations.js';
import { succeedSql } from '../../src/store/completionSql.js';
import type { NewDescription } from '../../src/store/DescriptionRecord.js';
import { writeAheadSql } from '../../src/store/writeAheadSql.js';
import { OPEN_MODE_KEY_ID } from '../../src/store/ledgerScope.js';
import { packageRoot } from '../../src/packageRoot.js';
import { startPgliteWorker } from '../../src/store/startPgliteWorker.js';

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DB = 'bvg_write_path_bench';
const quiet = { info: () => {}, warn: () => {} };

type Run = (sql: Prisma.Sql) => Promise<unknown[]>;

interface Target {
  readonly name: string;
  readonly prisma: PrismaClient;
  readonly driver: Run;
  close(): Promise<void>;
}

function newDescription(): NewDescription {
  return {
    id: randomUUID(),
    modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
    baseModelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
    api: 'CONVERSE',
    provider: 'EMULATOR',
    prompt: 'What is in this image?',
    maxTokens: 1000,
    stopSequences: [],
    estimatedCostUsd: '0.015324',
    apiKeyId: OPEN_MODE_KEY_ID,
    clientRequestId: undefined,
    requestHash: 'f'.repeat(64),
    images: [
      {
        sha256: 'a'.repeat(64),
        mediaType: 'image/jpeg',
        byteSize: 10_240,
        width: 200,
        height: 150,
        source: 'BASE64',
        original: { format: 'jpeg', width: 200, height: 150, byteSize: 10_240 },
      },
    ],
  };
}

const outcome = {
  text: 'Image 1 is a 200×150 JPEG image whose dominant colour is #808080 (grey). You asked: "What is in this image?".',
  stopReason: 'end_turn',
  usage: { inputTokens: 54, outputTokens: 28, totalTokens: 82 },
  costUsd: '0.000582',
  latencyMs: 100,
  modelLatencyMs: 100,
  bedrockRequestId: randomUUID(),
};

/** The previous release's write path, with Prisma's query builder and a read-back after each write. */
async function prismaClientWrite(prisma: PrismaClient, input: NewDescription): Promise<void> {
  const createdAt = new Date();
  await prisma.$transaction([
    prisma.image.createMany({
      data: input.images.map(({ sha256, mediaType, byteSize, width, height }) => ({
        sha256,
        mediaType,
        byteSize,
        width,
        height,
      })),
      skipDuplicates: true,
    }),
    prisma.descriptionRequest.create({
      data: {
        id: input.id,
        status: 'PENDING',
        modelId: input.modelId,
        baseModelId: input.baseModelId,
        api: input.api,
        prompt: input.prompt,
        maxTokens: input.maxTokens,
        stopSequences: [],
        estimatedCostUsd: input.estimatedCostUsd,
        requestHash: input.requestHash,
        createdAt,
        images: {
          create: input.images.map((image, position) => ({
            position,
            imageSha256: image.sha256,
            source: image.source,
            requestCreatedAt: createdAt,
          })),
        },
      },
    }),
  ]);
  await prisma.descriptionRequest.findUnique({ where: { id: input.id }, include: { images: true } });
  await prisma.descriptionRequest.update({
    where: { id: input.id, status: 'PENDING' },
    data: { status: 'SUCCEEDED', text: outcome.text, inputTokens: 54, outputTokens: 28, totalTokens: 82 },
  });
  await prisma.descriptionRequest.findUnique({ where: { id: input.id }, include: { images: true } });
}

async function time(label: string, iterations: number, once: () => Promise<void>) {
  for (let i = 0; i < 50; i += 1) await once();
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const mainMs = performance.eventLoopUtilization(loop).active / iterations;
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(2);
  const cpuMs = (used.user + used.system) / 1000 / iterations;
  return `| ${label} | ${at(0.5)} | ${at(0.99)} | ${(wall / iterations).toFixed(2)} | ${cpuMs.toFixed(3)} | ${mainMs.toFixed(3)} |`;
}

/** A target on a node-postgres pool (PostgreSQL's, or the PGlite thread's), migrated first. */
async function poolTarget(name: string, pool: pg.Pool, close: () => Promise<void>): Promise<Target> {
  const client = await pool.connect();
  await applyMigrations(
    { query: (sql, params) => client.query(sql, params), exec: (sql) => client.query(sql) },
    join(packageRoot(), 'prisma', 'migrations'),
    quiet,
  );
  client.release();
  return {
    name,
    prisma: new PrismaClient({ adapter: new PrismaPg(pool) }),
    driver: async (sql) => (await pool.query({ text: sql.text, values: sql.values })).rows,
    async close() {
      await pool.end();
      await close();
    },
  };
}

async function postgresTarget(): Promise<Target> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: ADMIN_URL.replace(/\/postgres$/, `/${DB}`), max: 4 });
  return poolTarget('PostgreSQL 127.0.0.1', pool, async () => {});
}

async function pgliteTarget(): Promise<Target> {
  const db = new PGlite({ extensions: { pg_trgm } });
  await db.waitReady;
  await applyMigrations(
    { query: (sql, params) => db.query(sql, params), exec: (sql) => db.exec(sql) },
    join(packageRoot(), 'prisma', 'migrations'),
    quiet,
  );
  return {
    name: 'PGlite (memory)',
    prisma: new PrismaClient({ adapter: new PrismaPGlite(db) }),
    driver: async (sql) => (await db.query(sql.text, sql.values)).rows,
    close: () => db.close(),
  };
}

/** PGlite in a thread of its own, reached through node-postgres and Prisma's pg adapter as the server reaches it. */
async function pgliteThreadTarget(): Promise<Target> {
  const worker = await startPgliteWorker({ dataDir: undefined, startParams: [], onUnexpectedExit: () => {} });
  return poolTarget('PGlite (memory, its own thread)', new pg.Pool({ ...worker.connection, max: 1 }), () =>
    worker.close(),
  );
}

async function main() {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
  const iterations = Number(values.iterations);
  console.log(`# Write path: one request's write-ahead and completion, ${iterations} times in a row\n`);
  console.log(
    `Node ${process.version}; times in ms per request (both writes); CPU is this process's, every thread; main thread busy is the event loop's active time.\n`,
  );
  console.log('| database / door | p50 | p99 | mean | CPU ms | main thread busy ms |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const open of [postgresTarget, pgliteTarget, pgliteThreadTarget]) {
    const target = await open();
    try {
      const viaDriver = async () => {
        const input = newDescription();
        await target.driver(writeAheadSql(input, new Date(), null));
        await target.driver(succeedSql({ id: input.id, run: 1, attemptsBefore: 0 }, outcome, new Date()));
      };
      const viaRaw = async () => {
        const input = newDescription();
        await target.prisma.$queryRaw(writeAheadSql(input, new Date(), null));
        await target.prisma.$queryRaw(succeedSql({ id: input.id, run: 1, attemptsBefore: 0 }, outcome, new Date()));
      };
      console.log(await time(`${target.name}: driver, 2 statements`, iterations, viaDriver));
      console.log(await time(`${target.name}: Prisma $queryRaw, same 2 statements`, iterations, viaRaw));
      console.log(
        await time(`${target.name}: Prisma client, previous release (5 round trips)`, iterations, () =>
          prismaClientWrite(target.prisma, newDescription()),
        ),
      );
    } finally {
      await target.prisma.$disconnect();
      await target.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
