import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection URL from here, not from schema.prisma. The application
// itself never uses this file: src/store opens PGlite or PostgreSQL through driver
// adapters. It serves `prisma generate` and, where Prisma's schema engine can be
// downloaded, `prisma migrate deploy` against a PostgreSQL DATABASE_URL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
