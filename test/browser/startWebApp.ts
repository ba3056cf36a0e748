import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';

export interface WebApp {
  /** `http://127.0.0.1:<port>`: the page at `/`, the API at `/graphql`. */
  readonly origin: string;
  readonly testApp: TestApp;
  stop(): Promise<void>;
}

/**
 * The real server on a fresh PGlite against the emulator, keeping image bytes
 * (IMAGE_STORE=file:…) so records show thumbnails.
 */
export async function startWebApp(): Promise<WebApp> {
  const imageDir = mkdtempSync(join(tmpdir(), 'bvg-images-'));
  const testApp = await startTestApp('pglite', { images: { store: { kind: 'file', dir: imageDir } } });
  const apiOrigin = new URL(testApp.url).origin;
  return {
    origin: apiOrigin,
    testApp,
    async stop() {
      await testApp.stop();
      rmSync(imageDir, { recursive: true, force: true });
    },
  };
}
