import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentity } from '@smithy/types';
import { pino, type Logger } from 'pino';
import { createBedrockVisionModel, loadModelCatalog } from './bedrock/index.js';
import { ConfigError, type AppConfig } from './config.js';
import { createHousekeeping } from './housekeeping/index.js';
import { createFileImageStore, NO_IMAGE_STORE } from './images/index.js';
import { createServer } from './server.js';
import { openStore, type Store } from './store/index.js';

export interface RunningApp {
  readonly url: string;
  readonly address: AddressInfo;
  readonly store: Store;
  readonly logger: Logger;
  /** Drains requests in flight, then closes the model client and the database. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  readonly logger?: Logger;
  /** Static AWS credentials (the emulator); otherwise the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity;
}

/**
 * Wires the real parts from a config: opens (and migrates) the database, closes rows
 * a crashed process left PENDING, builds the Bedrock client and serves HTTP.
 * `main.ts` and `dev.ts` use it, and so do the tests.
 */
export async function startApp(config: AppConfig, options: StartAppOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = await openStore(config.database, {
    log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
  });
  try {
    const interrupted = await store.descriptions.failAbandoned(
      new Date(Date.now() - config.abandonedAfterMs),
      'INTERRUPTED',
      'The server stopped while this request was running',
    );
    if (interrupted > 0) logger.warn({ interrupted }, 'closed requests left PENDING by a stopped server');

    let catalog;
    try {
      catalog = loadModelCatalog(config.bedrock.modelCatalogFile);
    } catch (error) {
      throw new ConfigError(`MODEL_CATALOG_FILE: ${(error as Error).message}`);
    }
    const model = createBedrockVisionModel({
      ...config.bedrock,
      catalog,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
    const imageStore =
      config.images.store.kind === 'file' ? createFileImageStore(config.images.store.dir) : NO_IMAGE_STORE;
    const housekeeping = createHousekeeping({ descriptions: store.descriptions, imageStore, logger });
    const retention =
      config.historyRetentionDays === undefined
        ? undefined
        : housekeeping.schedule(config.historyRetentionDays, config.retentionIntervalMs);
    const server = await createServer({
      store,
      model,
      catalog,
      defaultModelId: config.bedrock.defaultModelId,
      enforceModelLifecycle: config.bedrock.modelLifecycle === 'enforce',
      logger,
      housekeeping,
      playground: config.playground,
      admission: config.admission,
      imageStore,
      urlPolicy: config.images.url,
      maxUploadBytes: config.images.maxUploadBytes,
    });
    const address = await server.listen(config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
    return {
      url: `http://${shownHost}:${address.port}/graphql`,
      address,
      store,
      logger,
      async stop() {
        retention?.stop();
        await server.stop();
        model.destroy();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
