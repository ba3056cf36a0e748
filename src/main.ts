import { ConfigError, loadConfig } from './config.js';
import { startApp } from './startApp.js';

/** The process: read config, start the app, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await startApp(config, { logProcessWarnings: true });
  // The one stop path: Apollo's own signal handlers are off (see createGraphqlHttpRoute), and a second
  // signal while stopping changes nothing: the grace (SHUTDOWN_GRACE_MS) already bounds the wait.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    app.logger.info({ signal, graceMs: config.shutdownGraceMs }, 'stopping: finishing requests in flight');
    app.stop().then(
      () => {
        app.logger.info({ ms: Math.round(performance.now() - started) }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Only now: whoever waits for this line may signal at once, and until a listener is installed a
  // SIGTERM kills the process outright (the one-in-many CI failure of the idle-stop test).
  app.logger.info(
    {
      url: app.url,
      database: config.database.kind,
      provider: app.provider,
      bedrockEndpoint: app.emulatorUrl ?? config.bedrock.endpoint ?? `bedrock-runtime.${config.bedrock.region}`,
    },
    'bedrock-vision-graphql ready',
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
