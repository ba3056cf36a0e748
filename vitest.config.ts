import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) side by side. Node, and so every
    // dependency (Apollo, graphql-tools, graphql-ws), loads the CommonJS one; Vite would give
    // our sources the ESM one, and a schema from one copy fails validate() in the other.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own servers and databases; two at a time fits 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: {
      // The SDK warns each process that builds one of its clients on Node < 22 that its releases after January 2027
      // need Node 22 (README, Logs): 71 times a run, it buried CI's output. Tests that spawn with an env of their own
      // still see it; the server's own handling of warnings is tested in test/logging/processWarnings.test.ts.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
