import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import { endOfLifeDefaultModelNotice, loadModelCatalog, type InferenceProvider } from './bedrock/index.js';
import { createAuthenticator, createRateLimiter, listenAddress, type RateLimiter } from './auth/index.js';
import { ConfigError, type AppConfig } from './config.js';
import { createEstimateCalibration, type EstimateCalibration } from './describe/index.js';
import {
  createHousekeeping,
  startCalibrationRefresh,
  startRecovery,
  type CalibrationRefresh,
  type Recovery,
} from './housekeeping/index.js';
import { createFileImageStore, NO_IMAGE_STORE } from './images/index.js';
import { createLogger, routeProcessWarnings } from './logging/index.js';
import { openVisionModel, type OpenedVisionModel } from './openVisionModel.js';
import { createServer } from './server.js';
import { openStore, type Store } from './store/index.js';
import { createTelemetry, instrumentStore, instrumentVisionModel, type Telemetry } from './telemetry/index.js';

export interface RunningApp {
  readonly url: string;
  readonly address: AddressInfo;
  readonly store: Store;
  readonly logger: Logger;
  /** Who answers model calls (BEDROCK_MODE), and the emulator's URL when it is the emulator. */
  readonly provider: InferenceProvider;
  readonly emulatorUrl: string | undefined;
  /**
   * The input-token estimate's calibration, refreshed on its schedule (ESTIMATE_CALIBRATION_INTERVAL_MS);
   * refresh() reads the ledger at once. Undefined when calibration is off.
   */
  readonly calibration: EstimateCalibration | undefined;
  /** Drains requests in flight, then closes the model client and the database. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  readonly logger?: Logger;
  /** Static AWS credentials (tests); otherwise the SDK's default chain (or fixed ones for the emulator). */
  readonly credentials?: AwsCredentialIdentity;
  /** The process's warnings become lines of the app's log (see routeProcessWarnings): for the process entry points. */
  readonly logProcessWarnings?: boolean;
}

/**
 * Wires the real parts from a config: opens (and migrates) the database, closes rows
 * a crashed process left PENDING, builds the Bedrock client and serves HTTP.
 * `main.ts` and `dev.ts` use it, and so do the tests.
 */
export async function startApp(config: AppConfig, options: StartAppOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  // Before the model client is made: the AWS SDK warns then.
  if (options.logProcessWarnings === true) routeProcessWarnings(logger);
  const store = await openStore(config.database, {
    log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
    leaseTtlMs: config.recovery.leaseTtlMs,
    completion: config.completion,
  });
  let vision: OpenedVisionModel | undefined;
  let rateLimiter: RateLimiter | undefined;
  let recovery: Recovery | undefined;
  let calibrationRefresh: CalibrationRefresh | undefined;
  let telemetry: Telemetry | undefined;
  try {
    // Rows of processes that are gone (this one before a restart included) are closed now and every
    // RECOVERY_INTERVAL_MS after; this process's own stay untouched while it renews its lease.
    recovery = startRecovery({
      descriptions: store.descriptions,
      lease: store.lease!,
      leaseTtlMs: config.recovery.leaseTtlMs,
      sweepIntervalMs: config.recovery.sweepIntervalMs,
      legacyAfterMs: config.abandonedAfterMs,
      replayCompletions: () => store.replayCompletions(),
      logger,
    });
    await recovery.sweep();

    let catalog;
    try {
      catalog = loadModelCatalog(config.bedrock.modelCatalogFile);
    } catch (error) {
      throw new ConfigError(`MODEL_CATALOG_FILE: ${(error as Error).message}`);
    }
    vision = await openVisionModel(config.bedrock, {
      production: config.production,
      catalog,
      credentials: options.credentials,
    });
    const { model } = vision;
    const emulated = model.provider === 'EMULATOR';
    if (emulated) {
      logger.warn(
        { emulator: vision.emulatorUrl, why: vision.why },
        'answers come from the built-in Bedrock emulator, not Amazon Bedrock: give the process AWS credentials or ' +
          'AWS_BEARER_TOKEN_BEDROCK (or set BEDROCK_MODE=aws) to use Bedrock',
      );
    } else {
      // The seed's default model is retired on Bedrock: say so once, with what to use instead.
      const retiredDefault = endOfLifeDefaultModelNotice(config.bedrock.defaultModelId, catalog);
      if (retiredDefault !== undefined) logger.warn({ defaultModelId: config.bedrock.defaultModelId }, retiredDefault);
    }
    // Open mode (no key) only on loopback and outside production; keys switch it off for every door.
    const keysExist = await store.apiKeys.anyActive();
    const listen = listenAddress(config.host, keysExist, config.production);
    if ('refusal' in listen) throw new ConfigError(listen.refusal);
    if (!keysExist) {
      logger.warn(
        { host: listen.host },
        'open mode: no API key exists, so every request is accepted without one, on this machine only. Create keys with `npm run keys -- create` to require them',
      );
    }
    const authenticator = createAuthenticator(store.apiKeys, {
      cacheTtlMs: config.auth.keyCacheTtlMs,
      openModeAllowed: !keysExist,
    });
    rateLimiter = createRateLimiter({ redisUrl: config.auth.redisUrl, logger });
    const imageStore =
      config.images.store.kind === 'file' ? createFileImageStore(config.images.store.dir) : NO_IMAGE_STORE;
    // Metrics always; tracing only with an OTLP endpoint (otherwise nothing traces at all).
    telemetry = createTelemetry(config.tracing);
    const observed = {
      metrics: telemetry.metrics,
      catalog,
      tracing: telemetry.tracing,
      keyLabel: (apiKeyId: string) => authenticator.keyLabel(apiKeyId),
    };
    if (store.poolUsage() !== undefined) telemetry.metrics.watchPool(() => store.poolUsage()!);
    const observedStore = instrumentStore(store, observed);
    const housekeeping = createHousekeeping({ descriptions: observedStore.descriptions, imageStore, logger });
    // Factors by model family, read now and then on their schedule; requests only look them up.
    const calibration =
      config.calibrationIntervalMs === 0
        ? undefined
        : createEstimateCalibration((days, rows) => store.estimateSamples(days, rows));
    if (calibration !== undefined) {
      calibrationRefresh = await startCalibrationRefresh({
        refresh: () => calibration.refresh(),
        intervalMs: config.calibrationIntervalMs,
        logger,
      });
    }
    const retention =
      config.historyRetentionDays === undefined
        ? undefined
        : housekeeping.schedule(config.historyRetentionDays, config.retentionIntervalMs);
    const server = await createServer({
      store: observedStore,
      model: instrumentVisionModel(model, observed),
      catalog,
      defaultModelId: config.bedrock.defaultModelId,
      // The emulator still serves the seed's retired Claude 3 Sonnet: let it answer.
      enforceModelLifecycle: !emulated && config.bedrock.modelLifecycle === 'enforce',
      logger,
      housekeeping,
      playground: config.playground,
      admission: config.admission,
      imageStore,
      urlPolicy: config.images.url,
      maxUploadBytes: config.images.maxUploadBytes,
      authenticator,
      rateLimiter,
      idempotencyWaitMs: config.idempotencyWaitMs,
      cache: config.cache,
      shutdownGraceMs: config.shutdownGraceMs,
      production: config.production,
      http: config.http,
      telemetry,
      metricsAllow: config.metrics.allow,
      calibration,
    });
    const address = await server.listen(config.port, listen.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
    return {
      url: `http://${shownHost}:${address.port}/graphql`,
      address,
      store,
      logger,
      provider: model.provider,
      emulatorUrl: vision.emulatorUrl,
      calibration,
      async stop() {
        retention?.stop();
        calibrationRefresh?.stop();
        await server.stop();
        await vision?.close();
        await rateLimiter?.close();
        // Every row of this process is closed by now: giving the lease back says it left cleanly.
        recovery?.stop();
        await store.lease?.release().catch((error: unknown) => logger.warn({ err: error }, 'lease release failed'));
        await store.close();
        await telemetry?.shutdown();
      },
    };
  } catch (error) {
    recovery?.stop();
    calibrationRefresh?.stop();
    await telemetry?.shutdown();
    await rateLimiter?.close();
    await vision?.close();
    await store.close();
    throw error;
  }
}
