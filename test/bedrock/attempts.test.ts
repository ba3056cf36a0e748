import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAttemptLog, createBedrockVisionModel } from '../../src/bedrock/index.js';
import { request } from './helpers.js';

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Bedrock adapter: attempts that never reached Bedrock', () => {
  it('retries a connection that was refused, since Bedrock never saw (or billed) it, and records each attempt', async () => {
    const model = createBedrockVisionModel({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 3,
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 2000,
      provider: 'EMULATOR',
    });
    const attempts = createAttemptLog();
    try {
      await expect(model.describe({ ...(await request()), attempts })).rejects.toMatchObject({
        code: 'UPSTREAM_ERROR',
      });
    } finally {
      model.destroy();
    }
    expect(attempts.list()).toEqual(
      Array.from({ length: 3 }, () =>
        expect.objectContaining({ outcome: 'NOT_SENT', billed: false, httpStatus: null, usage: {} }),
      ),
    );
  });
});
