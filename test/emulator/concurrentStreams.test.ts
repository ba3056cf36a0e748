import { connect } from 'node:http2';
import type { Settings } from 'node:http2';

import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { bedrockClient, SONNET_3 } from './helpers.js';

/**
 * Calls in flight at once on one session. Against HTTP/2's default 64 KiB connection window, 800 of these lost a few
 * calls to ENHANCE_YOUR_CALM and 1 500 lost a fifth to a half, run after run; with the emulator's windows none.
 */
const CONCURRENT_CALLS = 1500;

/** A photo-like noisy JPEG of about 10 KB, the benchmark's image. */
function noisyJpeg(): Promise<Buffer> {
  return sharp({
    create: {
      width: 150,
      height: 113,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** The SETTINGS the emulator sends a new HTTP/2 client, and the connection window it grants. */
async function advertisedLimits(url: string): Promise<{ settings: Settings; connectionWindow: number }> {
  const session = connect(url);
  try {
    const settings = await new Promise<Settings>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    // The window comes in a WINDOW_UPDATE after the SETTINGS; a ping's answer comes after both.
    await new Promise<void>((resolve, reject) => session.ping((error) => (error ? reject(error) : resolve())));
    return { settings, connectionWindow: session.state.remoteWindowSize ?? 0 };
  } finally {
    session.close();
  }
}

describe('Emulator: many concurrent streams on one HTTP/2 session', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    // The latency keeps the streams open together, as a model's latency does under load.
    emulator = await startEmulator({ latencyMs: 100 });
  });
  afterAll(() => emulator.close());

  it('answers 1 500 concurrent Converse calls multiplexed on one SDK session without a stream reset', async () => {
    const jpeg = await noisyJpeg();
    const client = bedrockClient(emulator.url, {
      // One attempt, so a reset stream fails the call instead of being retried out of sight. The client's own
      // default handler opens a session per call; the app's (src/bedrock) multiplexes them, which is what is tested.
      maxAttempts: 1,
      requestHandler: new NodeHttp2Handler(),
    });
    const command = new ConverseCommand({
      modelId: SONNET_3,
      messages: [{ role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: jpeg } } }, { text: 'Hi' }] }],
    });

    const results = await Promise.allSettled(Array.from({ length: CONCURRENT_CALLS }, () => client.send(command)));
    client.destroy();

    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect({ failed: failures.length, kinds: [...new Set(failures)] }).toEqual({ failed: 0, kinds: [] });
    expect(jpeg.length).toBeGreaterThan(9_000);
  });

  it('grants windows and streams enough for hundreds of request bodies in flight', async () => {
    const { settings, connectionWindow } = await advertisedLimits(emulator.url);

    expect(connectionWindow).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(settings.initialWindowSize).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(settings.maxConcurrentStreams).toBe(2 ** 32 - 1);
  });
});
