// Types for scripts/migrationDiff.mjs (plain ESM so that `node scripts/migrationDiff.mjs` runs without a build).

export interface MigrationDiffOptions {
  /** schema.prisma, or a folder of .prisma files. Default: <repo>/prisma/schema.prisma. */
  schemaPath?: string;
  /** Default: <repo>/prisma/migrations. */
  migrationsDir?: string;
  /** prisma.config.ts `tables.external` / `enums.external`. Default: none. */
  filters?: { externalTables: string[]; externalEnums: string[] };
  /**
   * A PostgreSQL URL (any database the user may CREATE DATABASE from): the shadow database is then a temporary
   * database `<shadowDatabasePrefix>_<uuid>` on that server, dropped afterwards. Default: in-memory PGlite.
   */
  shadowDatabaseUrl?: string;
  /** Default: "prisma_migrate_shadow_db". */
  shadowDatabasePrefix?: string;
}

export interface PlanOptions extends MigrationDiffOptions {
  /** The slug after the timestamp in the generated folder name. */
  migrationName?: string;
  /** Produce a script even when there is nothing to migrate (like `migrate dev --create-only`). */
  draft?: boolean;
}

export interface MigrationPlan {
  /** The migration.sql content, or null when there is nothing to migrate (and not `draft`). */
  script: string | null;
  /** `<YYYYMMDDHHMMSS>_<migrationName>` (UTC), as the engine names it. */
  generatedMigrationName: string;
  extension: string;
  connectorType: string;
  migrationsDir: string;
  lockfile: { path: string; content: string | null };
}

export interface CreatedMigration {
  name: string;
  directory: string;
  file: string;
  script: string;
}

export declare const DEFAULT_SCHEMA_PATH: string;
export declare const DEFAULT_MIGRATIONS_DIR: string;

/**
 * SQL that brings a database built from the migrations to the schema (what the next `prisma migrate dev` would
 * write), or '' when they agree.
 */
export declare function diffMigrationsToSchema(opts?: MigrationDiffOptions): Promise<string>;

/** The engine's next-migration answer, without writing anything. */
export declare function planNextMigration(opts?: PlanOptions): Promise<MigrationPlan>;

/** Writes `<migrationsDir>/<timestamp>_<slug>/migration.sql` and migration_lock.toml; null when nothing to do. */
export declare function createNextMigration(
  name: string,
  opts?: MigrationDiffOptions & { draft?: boolean },
): Promise<CreatedMigration | null>;

/** `prisma migrate dev --name` slug rule (lowercase, `_`-separated, ≤ 200 chars). */
export declare function migrationSlug(name: string): string;

/** sha256 hex of a migration script: the `checksum` column of `_prisma_migrations`. */
export declare function migrationChecksum(script: string): string;

/** The engines commit of the loaded wasm engine and the file it came from. */
export declare function schemaEngineVersion(): Promise<{ engineVersion: string; wasmPath: string }>;
