import { loadConfig } from './config.js';
import { startEmulator } from './emulator/index.js';
import { startApp } from './startApp.js';

// Any fixed key pair works: the emulator checks the SigV4 header's shape, not the secret.
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDLOCALEMULATOR', secretAccessKey: 'local-emulator-secret' };
const EMULATOR_PORT = 4010;

/**
 * `npm run dev`: the Bedrock emulator and the API together, so the product can be tried
 * without an AWS account. Everything else comes from the usual configuration.
 */
async function dev(): Promise<void> {
  const config = loadConfig();
  const emulator = await startEmulator({ port: EMULATOR_PORT });
  // The emulator still serves the seed's Claude 3 Sonnet, which Bedrock retired: let it answer.
  const bedrock = { ...config.bedrock, endpoint: emulator.url, modelLifecycle: 'off' as const };
  const app = await startApp({ ...config, bedrock }, { credentials: EMULATOR_CREDENTIALS });
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
