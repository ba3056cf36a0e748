import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { spawnServer } from '../helpers/spawnServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = fileURLToPath(new URL('../helpers/registerTsLoader.mjs', import.meta.url));

/** Runs a module of code in a process of its own, from the sources; resolves with what it wrote. */
function runModule(code: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', LOADER, '--input-type=module', '-e', code], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ stdout, stderr, code: exitCode }));
  });
}

describe('process warnings', { timeout: 120_000 }, () => {
  it('are one JSON warn line each, and nothing reaches stderr', async () => {
    const { stdout, stderr, code } = await runModule(`
      import { createLogger, routeProcessWarnings } from './src/logging/index.ts';
      routeProcessWarnings(createLogger({ level: 'info', format: 'json' }));
      process.emitWarning('the old way is going away', { type: 'DeprecationWarning', code: 'BVG_TEST_DEP' });
      process.emitWarning('a notice\\nover two lines');
    `);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'process warning: DeprecationWarning',
        warning: { name: 'DeprecationWarning', message: 'the old way is going away', code: 'BVG_TEST_DEP' },
      }),
      expect.objectContaining({
        level: 40,
        msg: 'process warning: Warning',
        warning: { name: 'Warning', message: 'a notice\nover two lines' },
      }),
    ]);
  });

  describe('from the server', () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0 });
    });
    afterAll(() => emulator.close());

    it('writes only JSON lines while it starts, the AWS SDK notice about Node 20 included', async () => {
      const server = spawnServer({ DATABASE_URL: 'memory:', AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
      try {
        await server.ready();
        // A line that is not JSON is kept as { text } (spawnServer): none may be.
        expect(server.lines.filter((line) => 'text' in line)).toEqual([]);
        // Whether the SDK warns depends on the Node version it runs on; where it does, the warning is a log line.
        if (Number(process.versions.node.split('.')[0]) < 22) {
          const notice = server.lines.find((line) => line.msg === 'process warning: Warning');
          expect(notice).toMatchObject({ level: 40, warning: { message: expect.stringContaining('node >=22') } });
        }
      } finally {
        server.kill();
        await server.exited;
      }
    });
  });
});
