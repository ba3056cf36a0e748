#!/usr/bin/env node
// Offline drift check and migration generator for prisma/migrations, driven by Prisma's own schema engine.
//
// `prisma migrate dev` needs a native schema engine that is downloaded at first use, which fails offline.
// The same engine ships as WebAssembly: the `prisma` CLI package carries `build/schema_engine_bg.wasm` (built
// from the exact engines commit of the installed CLI) and `@prisma/schema-engine-wasm` (devDependency) carries
// the matching JavaScript glue. This script runs that engine through a driver adapter: the "dev database" and
// the shadow database are in-memory PGlite instances, so nothing needs a PostgreSQL server or the network.
//
// It makes the engine calls `prisma migrate dev` makes on an up-to-date dev database (applyMigrations,
// devDiagnostic, createMigration), so the SQL it prints or writes is what `prisma migrate dev --name <name>` would
// write, byte for byte, including the `-- CreateTable`-style comments and the `/* Warnings: ... */` block for
// destructive changes. Migrations are replayed on PGlite (PostgreSQL 18); --shadow-url replays them on a server.
//
//   node scripts/migrationDiff.mjs                  print the SQL from prisma/migrations to schema.prisma
//   node scripts/migrationDiff.mjs --check          same, exit 1 (printing the SQL) when they disagree
//   node scripts/migrationDiff.mjs --create <name>  write prisma/migrations/<timestamp>_<name>/migration.sql
//   options: --schema <file|dir>  --migrations <dir>  --draft (with --create: write even if empty)
//            --shadow-url <postgres://server/db>  use a PostgreSQL server for the shadow database instead of
//            PGlite (a temporary database is created there and dropped; --shadow-prefix names it)
//   MIGRATION_DIFF_DEBUG=1 prints the engine's log lines to stderr.
//
// Exit codes: 0 in sync / done, 1 drift (--check), 2 error.

import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');

const LOCKFILE_NAME = 'migration_lock.toml';
const NO_FILTERS = Object.freeze({ externalTables: [], externalEnums: [] });

// Extensions a migration may CREATE in the shadow database (PGlite only knows the ones passed to it).
const PGLITE_EXTENSIONS = ['pg_trgm', 'citext', 'uuid_ossp', 'btree_gin', 'btree_gist', 'pgcrypto', 'hstore', 'ltree'];

/** sha256 hex of a migration script: the `checksum` Prisma stores in `_prisma_migrations`. */
export function migrationChecksum(script) {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Engine loading

let runtimePromise;

// The engine arms 10 s guard timers (setTimeout, never cleared) that would keep the process alive after the work is
// done: remember them and clear the leftovers once no engine call is running.
const engineTimers = new Set();
let activeRuns = 0;

function trackTimers(runtime) {
  const imports = { ...runtime };
  for (const key of Object.keys(imports)) {
    if (!key.startsWith('__wbg_setTimeout_')) continue;
    imports[key] = (callback, ms) => {
      const timer = setTimeout(() => {
        engineTimers.delete(timer);
        callback();
      }, ms >>> 0);
      engineTimers.add(timer);
      return timer;
    };
  }
  return imports;
}

function clearEngineTimers() {
  if (activeRuns > 0) return;
  for (const timer of engineTimers) clearTimeout(timer);
  engineTimers.clear();
}

function engineWasmCandidates() {
  const candidates = [];
  if (process.env.MIGRATION_DIFF_ENGINE_WASM) candidates.push(process.env.MIGRATION_DIFF_ENGINE_WASM);
  // The engine the installed CLI was built with (same engines commit as `prisma migrate dev`).
  candidates.push(path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'));
  // Fallback: the wasm published with the glue package.
  candidates.push(path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm'));
  return candidates;
}

async function loadEngineRuntime() {
  runtimePromise ??= (async () => {
    // The engine reports Rust panics through this global.
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      message: '',
      set_message(message) {
        this.message = `RuntimeError: ${message}`;
      },
    };
    const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const failures = [];
    for (const file of engineWasmCandidates()) {
      let instance;
      try {
        const module = await WebAssembly.compile(await fs.readFile(file));
        instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': trackTimers(runtime) });
      } catch (error) {
        failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
        continue; // not there, or built against another glue version
      }
      runtime.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      return { runtime, wasmPath: file, engineVersion: runtime.version() };
    }
    throw new Error(`Could not load Prisma's schema engine (wasm):\n  ${failures.join('\n  ')}`);
  })();
  runtimePromise.catch(() => {
    runtimePromise = undefined;
  });
  return runtimePromise;
}

/** The engines commit of the wasm engine in use (e.g. to compare with @prisma/engines-version). */
export async function schemaEngineVersion() {
  const { engineVersion, wasmPath } = await loadEngineRuntime();
  return { engineVersion, wasmPath };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver adapters: the engine's "dev database" is always an empty in-memory PGlite; the shadow database is another
// in-memory PGlite (default) or a temporary database on a PostgreSQL server.

async function pgliteExtensions() {
  const extensions = {};
  for (const name of PGLITE_EXTENSIONS) {
    extensions[name] = (await import(`@electric-sql/pglite/contrib/${name}`))[name];
  }
  return extensions;
}

// @prisma/adapter-pg 7.10 refuses columns of PostgreSQL's internal type "char" (oid 18), which the engine's catalog
// queries return (relkind, contype, ...): present them as text, which is what they are.
function charAsText(result) {
  for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
  return result;
}

function charAsTextPool(pg, config) {
  const pool = new pg.Pool(config);
  pool.on('error', () => {}); // idle clients dropped with the database
  pool.on('connect', (client) => {
    const query = client.query;
    client.query = function (config, values, callback) {
      const done = typeof values === 'function' ? values : callback;
      if (typeof done === 'function') {
        const wrapped = (error, result) => done(error, charAsText(result));
        return typeof values === 'function'
          ? query.call(this, config, wrapped)
          : query.call(this, config, values, wrapped);
      }
      const result = query.call(this, config, values);
      return typeof result?.then === 'function' ? result.then(charAsText) : result;
    };
  });
  return pool;
}

// pglite-prisma-adapter 0.7.2's executeScript does not await PGlite's exec: a failing migration script would look
// applied to the engine (and crash the process with an unhandled rejection). Await it and report the error.
async function pgliteAdapter(db) {
  const adapter = await new PrismaPGlite(db).connect();
  adapter.executeScript = async (script) => {
    try {
      await db.exec(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

class MigrationAdapterFactory {
  provider = 'postgres';
  adapterName = 'migrationDiff';
  #shadowUrl;
  #shadowPrefix;
  #main;
  #pristine;
  #extensions;
  #cleanups = [];

  constructor({ shadowDatabaseUrl, shadowDatabasePrefix } = {}) {
    this.#shadowUrl = shadowDatabaseUrl;
    this.#shadowPrefix = shadowDatabasePrefix ?? 'prisma_migrate_shadow_db';
  }

  async #mainDb() {
    this.#main ??= (async () => {
      this.#extensions = await pgliteExtensions();
      const db = await PGlite.create({ extensions: this.#extensions });
      this.#cleanups.push(() => db.close());
      // Snapshot before the engine sees it: every PGlite shadow starts from this empty cluster (faster than initdb).
      if (!this.#shadowUrl) this.#pristine = await db.dumpDataDir('none');
      return db;
    })();
    return this.#main;
  }

  async warmUp() {
    await this.#mainDb();
  }

  async connect() {
    return pgliteAdapter(await this.#mainDb());
  }

  async connectToShadowDb() {
    await this.#mainDb();
    if (this.#shadowUrl) return this.#connectToServerShadow();
    const db = await PGlite.create({ loadDataDir: this.#pristine, extensions: this.#extensions });
    this.#cleanups.push(() => db.close());
    return pgliteAdapter(db);
  }

  async #connectToServerShadow() {
    const { default: pg } = await import('pg');
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const database = `${this.#shadowPrefix}_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: this.#shadowUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(this.#shadowUrl);
    url.pathname = `/${database}`;
    const pool = charAsTextPool(pg, { connectionString: url.toString() });
    this.#cleanups.push(async () => {
      await pool.end().catch(() => {});
      const dropper = new pg.Client({ connectionString: this.#shadowUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    });
    return new PrismaPg(pool).connect();
  }

  async close() {
    const cleanups = this.#cleanups.splice(0).reverse();
    const results = await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Files, read the way the Prisma CLI reads them

async function readSchemaFiles(schemaPath) {
  const stat = await fs.stat(schemaPath);
  if (stat.isFile()) return [[schemaPath, await fs.readFile(schemaPath, 'utf8')]];
  // A schema folder (prismaSchemaFolder): every .prisma file below it.
  const entries = await fs.readdir(schemaPath, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.prisma'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
  if (files.length === 0) throw new Error(`No .prisma file in ${schemaPath}`);
  return Promise.all(files.map(async (file) => [file, await fs.readFile(file, 'utf8')]));
}

/** The `MigrationList` the engine expects, built like the CLI's own loader. */
async function readMigrationsList(migrationsDir) {
  const baseDir = path.resolve(migrationsDir);
  const lockContent = await fs.readFile(path.join(baseDir, LOCKFILE_NAME), 'utf8').catch(() => null);
  const entries = await fs.readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await fs
      .readFile(path.join(baseDir, entry.name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok', value }))
      .catch((error) => ({ tag: 'error', value: error.message }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: lockContent },
    migrationDirectories,
    shadowDbInitScript: '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The engine calls

function engineError(error, factory) {
  if (!(error instanceof Error) && typeof error !== 'object') return new Error(String(error));
  const id = error?.id ?? error?.cause?.id;
  if (typeof id === 'number') {
    const original = factory.errorRegistry.consumeError(id)?.error;
    if (original instanceof Error) return original;
  }
  const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message;
  if (error instanceof WebAssembly.RuntimeError && panic) return new Error(`Schema engine panic: ${panic}`);
  const message = error?.message ?? String(error);
  const code = typeof error?.code === 'string' ? `${error.code}: ` : '';
  return Object.assign(new Error(`${code}${message}`), { code: error?.code, cause: error });
}

/**
 * Ask the engine for the next migration of `migrationsDir` towards `schemaPath`, exactly as `prisma migrate dev`
 * does once its dev database is up to date. Writes nothing. `script` is null when there is nothing to migrate
 * (unless `draft`). Throws when a migration fails to apply.
 */
export async function planNextMigration(opts = {}) {
  const schemaPath = path.resolve(opts.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const migrationsDir = path.resolve(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const filters = opts.filters ?? NO_FILTERS;
  const adapters = new MigrationAdapterFactory(opts);
  const warmUp = adapters.warmUp(); // PGlite's initdb runs while the engine compiles
  const [{ runtime }, schemaFiles, migrationsList] = await Promise.all([
    loadEngineRuntime(),
    readSchemaFiles(schemaPath),
    readMigrationsList(migrationsDir),
    warmUp,
  ]).catch(async (error) => {
    await warmUp.catch(() => {});
    await adapters.close();
    throw error;
  });
  const factory = bindMigrationAwareSqlAdapterFactory(adapters);
  const log = process.env.MIGRATION_DIFF_DEBUG ? (line) => process.stderr.write(`[schema-engine] ${line}\n`) : () => {};
  let engine;
  activeRuns += 1;
  try {
    engine = await runtime.SchemaEngine.new({ datamodels: schemaFiles }, log, factory);
    // The steps of `prisma migrate dev` on an empty dev database: apply the migrations to it, then diagnose, which
    // replays the applied migrations on the shadow database and caches the resulting schema for createMigration
    // (in wasm, createMigration can only reach the shadow database through that cache).
    await engine.applyMigrations({ migrationsList, filters });
    await engine.devDiagnostic({ migrationsList, filters });
    const result = await engine.createMigration({
      draft: Boolean(opts.draft),
      migrationName: opts.migrationName ?? '',
      migrationsList,
      schema: { files: schemaFiles.map(([file, content]) => ({ path: file, content })) },
      filters,
    });
    return {
      script: result.migrationScript,
      generatedMigrationName: result.generatedMigrationName,
      extension: result.extension,
      connectorType: result.connectorType,
      migrationsDir,
      lockfile: migrationsList.lockfile,
    };
  } catch (error) {
    throw engineError(error, factory);
  } finally {
    engine?.free();
    activeRuns -= 1;
    clearEngineTimers();
    await adapters.close();
  }
}

/** True when a script holds no statement (only whitespace and `--` / `/* *\/` comments). */
function isEmptyScript(script) {
  return (
    script
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim() === ''
  );
}

/**
 * The SQL that brings a database built from `migrationsDir` to `schemaPath` (what the next `prisma migrate dev`
 * would write), or '' when they agree.
 */
export async function diffMigrationsToSchema(opts = {}) {
  const { script } = await planNextMigration({ ...opts, migrationName: 'drift', draft: false });
  return script == null || isEmptyScript(script) ? '' : script;
}

/** `prisma migrate dev --name`'s slug: `@sindresorhus/slugify(name, { separator: '_' })`, at most 200 chars. */
export function migrationSlug(name) {
  const slug = name
    .replaceAll('&', ' and ')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .normalize()
    .replace(/([A-Z]{2,})(\d+)/g, '$1 $2')
    .replace(/([a-z\d]+)([A-Z]{2,})/g, '$1 $2')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-rt-z\d]+)/g, '$1 $2')
    .toLowerCase()
    .replace(/([a-zA-Z\d]+)'([ts])(\s|$)/g, '$1$2$3')
    .replace(/[^a-z\d]+/g, '_')
    .replace(/\\/g, '')
    .replace(/_{2,}/g, '_')
    .replace(/^_|_$/g, '');
  return slug.substring(0, 200);
}

/**
 * Write the next migration like `prisma migrate dev --create-only --name <name>`: `<dir>/<timestamp>_<slug>/
 * migration.sql` plus `migration_lock.toml`. Returns null (and writes nothing) when there is nothing to migrate,
 * unless `draft` is set (then an empty migration is written for hand-written SQL).
 */
export async function createNextMigration(name, opts = {}) {
  const slug = migrationSlug(name);
  if (!slug) throw new Error(`Invalid migration name: ${JSON.stringify(name)}`);
  const plan = await planNextMigration({ ...opts, migrationName: slug });
  if (plan.script == null) return null;
  const directory = path.join(plan.migrationsDir, plan.generatedMigrationName);
  const exists = await fs.stat(directory).then(
    () => true,
    () => false,
  );
  if (exists) throw new Error(`The migration directory already exists at ${directory}`);
  await fs.mkdir(directory, { recursive: true, mode: 0o777 });
  const file = path.join(directory, `migration.${plan.extension}`);
  await fs.writeFile(file, plan.script, 'utf8');
  await fs.writeFile(
    path.join(plan.migrationsDir, plan.lockfile.path),
    `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${plan.connectorType}"\n`,
    'utf8',
  );
  return { name: plan.generatedMigrationName, directory, file, script: plan.script };
}

// ---------------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const args = { mode: 'print' };
  const valueOf = (i, flag) => {
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    switch (arg) {
      case '--check':
        args.mode = 'check';
        break;
      case '--create':
        args.mode = 'create';
        args.name = valueOf(i, arg);
        i += 1;
        break;
      case '--draft':
        args.draft = true;
        break;
      case '--schema':
        args.schemaPath = valueOf(i, arg);
        i += 1;
        break;
      case '--migrations':
        args.migrationsDir = valueOf(i, arg);
        i += 1;
        break;
      case '--shadow-url':
        args.shadowDatabaseUrl = valueOf(i, arg);
        i += 1;
        break;
      case '--shadow-prefix':
        args.shadowDatabasePrefix = valueOf(i, arg);
        i += 1;
        break;
      case '-h':
      case '--help':
        args.mode = 'help';
        break;
      default:
        throw new Error(`Unknown argument: ${arg}`);
    }
  }
  return args;
}

async function main(argv) {
  const args = parseArgs(argv);
  const opts = {
    schemaPath: args.schemaPath,
    migrationsDir: args.migrationsDir,
    shadowDatabaseUrl: args.shadowDatabaseUrl,
    shadowDatabasePrefix: args.shadowDatabasePrefix,
  };
  switch (args.mode) {
    case 'help':
      process.stdout.write(
        'usage: node scripts/migrationDiff.mjs [--check | --create <name> [--draft]] [--schema <path>]\n' +
          '       [--migrations <dir>] [--shadow-url <postgres url>] [--shadow-prefix <name>]\n',
      );
      return 0;
    case 'create': {
      const created = await createNextMigration(args.name, { ...opts, draft: args.draft });
      if (!created) {
        process.stderr.write('No schema change: no migration created (use --draft for an empty one).\n');
        return 0;
      }
      process.stdout.write(created.script);
      process.stderr.write(`\nCreated ${path.relative(process.cwd(), created.file)}\n`);
      return 0;
    }
    default: {
      const sql = await diffMigrationsToSchema(opts);
      const schema = path.relative(process.cwd(), path.resolve(opts.schemaPath ?? DEFAULT_SCHEMA_PATH));
      const migrations = path.relative(process.cwd(), path.resolve(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR));
      if (sql === '') {
        process.stderr.write(`${migrations} and ${schema} are in sync.\n`);
        return 0;
      }
      process.stdout.write(sql);
      if (args.mode === 'check') {
        process.stderr.write(
          `\n${schema} differs from ${migrations}: the SQL above is missing.\n` +
            'Create the migration with: node scripts/migrationDiff.mjs --create <name>\n',
        );
        return 1;
      }
      return 0;
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // Exit code 1 means drift: anything unexpected must not look like it.
  const crash = (error) => {
    process.stderr.write(`migrationDiff: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`migrationDiff: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
