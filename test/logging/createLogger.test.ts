import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine } from '../../src/logging/index.js';

function captured(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, output: { isTTY, write: (text: string) => lines.push(text) } };
}

describe('Logging: the process logger', () => {
  it('writes JSON lines when standard output is not a terminal', () => {
    const { lines, output } = captured(false);
    createLogger({ level: 'info', format: 'auto' }, output).info({ requestId: 'r1', status: 200 }, 'graphql operation');
    const entry = JSON.parse(lines.join(''));
    expect(entry).toMatchObject({ msg: 'graphql operation', requestId: 'r1', status: 200, level: 30 });
  });

  it('writes readable lines, coloured, when attached to a terminal', () => {
    const { lines, output } = captured(true);
    createLogger({ level: 'info', format: 'auto' }, output).warn(
      { requestId: 'r1', operation: 'describeImage', code: 'UPSTREAM_THROTTLED', prompt: 'a cat and a dog' },
      'graphql operation',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(() => JSON.parse(line)).toThrow();
    expect(line).toContain('\x1b[33mWARN');
    expect(line).toMatch(/\d\d:\d\d:\d\d\.\d\d\d/);
    expect(line).toContain('graphql operation requestId=r1 operation=describeImage code=UPSTREAM_THROTTLED');
    expect(line).toContain('prompt="a cat and a dog"');
    expect(line.endsWith('\n')).toBe(true);
  });

  it('writes readable lines without colour when asked to on a pipe (LOG_FORMAT=pretty)', () => {
    const { lines, output } = captured(false);
    createLogger({ level: 'info', format: 'pretty' }, output).info({ latencyMs: 12 }, 'ready');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d\d\d INFO {2}ready latencyMs=12\n$/);
  });

  it('keeps JSON on a terminal when asked to (LOG_FORMAT=json)', () => {
    const { lines, output } = captured(true);
    createLogger({ level: 'info', format: 'json' }, output).info('ready');
    expect(JSON.parse(lines.join('')).msg).toBe('ready');
  });

  it('never writes credentials that end up in a logged object', () => {
    const { lines, output } = captured(false);
    createLogger({ level: 'info', format: 'json' }, output).error(
      {
        request: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/secret', cookie: 'sid=1' } },
        credentials: { accessKeyId: 'AKIDX', secretAccessKey: 'very-secret', sessionToken: 'token-secret' },
        apiKey: 'bvg_live_secret',
      },
      'upstream call failed',
    );
    const text = lines.join('');
    for (const secret of ['Credential=AKID', 'sid=1', 'very-secret', 'token-secret', 'bvg_live_secret']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('shows an error with its stack under the line', () => {
    const error = new Error('boom');
    const line = formatLogLine(
      JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: error.stack } }),
      false,
    );
    expect(line.split('\n')[0]).toMatch(/ERROR failed$/);
    expect(line).toContain('\n    Error: boom\n    ');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLogLine('plain text', false)).toBe('plain text\n');
  });
});
