import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { spawnServer } from '../helpers/spawnServer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = fileURLToPath(new URL('../helpers/registerTsLoader.mjs', import.meta.url));

/** Runs a module of code in a process of its own, from the sources; resolves with what it wrote. */
function runModule(
  code: string,
  nodeOptions: string[] = [],
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, '--import', LOADER, '--input-type=module', '-e', code], {
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
  const ROUTED = `
    import { createLogger, routeProcessWarnings } from './src/logging/index.ts';
    routeProcessWarnings(createLogger({ level: 'info', format: 'json' }));
    process.emitWarning('the old way is going away', { type: 'DeprecationWarning', code: 'BVG_TEST_DEP', detail: 'use the new one' });
    process.emitWarning('a notice\\nover two lines');
    // Node's printer ignores what is not an Error; so must the log, or the process would end.
    process.emit('warning', undefined);
  `;
  const jsonLines = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('are one JSON warn line each, and nothing reaches stderr', async () => {
    const { stdout, stderr, code } = await runModule(ROUTED);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(jsonLines(stdout)).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'process warning: DeprecationWarning',
        warning: {
          name: 'DeprecationWarning',
          message: 'the old way is going away',
          code: 'BVG_TEST_DEP',
          detail: 'use the new one',
        },
      }),
      expect.objectContaining({
        level: 40,
        msg: 'process warning: Warning',
        warning: { name: 'Warning', message: 'a notice\nover two lines' },
      }),
    ]);
  });

  it('carry their stack when --trace-warnings asks for it', async () => {
    const { stdout, code } = await runModule(ROUTED, ['--trace-warnings']);
    expect(code).toBe(0);
    const stacks = jsonLines(stdout).map((line) => (line.warning as { stack?: string }).stack);
    expect(stacks).toEqual([expect.stringContaining('at '), expect.stringContaining('at ')]);
  });

  it('stay silent where Node would print none (--no-warnings)', async () => {
    const { stdout, stderr, code } = await runModule(ROUTED, ['--no-warnings']);
    expect(code).toBe(0);
    expect([stdout, stderr]).toEqual(['', '']);
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
