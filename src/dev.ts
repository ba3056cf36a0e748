import { loadConfig } from './config.js';
import { startEmulator } from './emulator/index.js';
import { startApp } from './startApp.js';

/** A fixed port, so faults can be injected with curl (see the README's emulator section). */
const EMULATOR_PORT = 4010;

/**
 * `npm run dev`: the Bedrock emulator on a known port and the API together, so the product can be
 * tried without an AWS account. Everything else comes from the usual configuration.
 */
async function dev(): Promise<void> {
  const config = loadConfig();
  const emulator = await startEmulator({ port: EMULATOR_PORT });
  const bedrock = { ...config.bedrock, endpoint: emulator.url, mode: 'emulator' as const };
  const app = await startApp({ ...config, bedrock }, { logProcessWarnings: true });
  app.logger.info(
    { url: app.url, emulator: emulator.url, database: config.database.kind },
    'dev server ready (Bedrock emulator)',
  );
  const stop = () => {
    void app
      .stop()
      .then(() => emulator.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

dev().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
