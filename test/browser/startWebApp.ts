import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

export interface WebApp {
  /** `http://127.0.0.1:<port>`: the page at `/`, the API at `/graphql` (and its subscriptions at `ws://…/graphql`). */
  readonly origin: string;
  readonly testApp: TestApp;
  stop(): Promise<void>;
}

export interface WebAppOptions {
  /**
   * The emulator's pause between two streamed text deltas, so a page visibly receives text in
   * pieces (and a test can act mid-stream). Default: the emulator's own (10 ms).
   */
  readonly streamChunkDelayMs?: number;
  /** DEFAULT_MODEL_ID; by default the configuration's own. */
  readonly defaultModelId?: string;
}

/**
 * The real server on a fresh PGlite against the emulator, keeping image bytes
 * (IMAGE_STORE=file:…) so records show thumbnails.
 */
export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const imageDir = mkdtempSync(join(tmpdir(), 'bvg-images-'));
  const emulator = await startEmulator({ port: 0, streamChunkDelayMs: options.streamChunkDelayMs });
  const testApp = await startTestApp('pglite', {
    emulator,
    images: { store: { kind: 'file', dir: imageDir } },
    ...(options.defaultModelId === undefined ? {} : { bedrock: { defaultModelId: options.defaultModelId } }),
  });
  const apiOrigin = new URL(testApp.url).origin;
  return {
    origin: apiOrigin,
    testApp,
    async stop() {
      // startTestApp leaves an emulator it was given running.
      await testApp.stop();
      await emulator.close();
      rmSync(imageDir, { recursive: true, force: true });
    },
  };
}
