import type { AwsCredentialIdentity } from '@smithy/types';
import {
  chooseBedrockMode,
  createBedrockVisionModel,
  type BedrockVisionModel,
  type ModelCatalog,
} from './bedrock/index.js';
import { ConfigError, type BedrockConfig } from './config.js';
import { startEmulator, type Emulator } from './emulator/index.js';

// Any fixed key pair works: the emulator does not check signatures.
export const EMULATOR_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDLOCALEMULATOR',
  secretAccessKey: 'local-emulator-secret',
};

/**
 * How long the start-up credential lookup waits for the EC2 instance-metadata service outside
 * production. On EC2 it answers in milliseconds; off AWS, on networks that drop rather than refuse
 * packets to 169.254.169.254, the SDK's default (1 s, then 1 s more for the IMDSv1 fallback)
 * would delay every `npm start` by two seconds. Production keeps the SDK's default: there a
 * missing credential stops the server, so a slow metadata service must not be mistaken for none.
 */
const DEV_INSTANCE_METADATA_TIMEOUT_MS = 250;

export interface OpenedVisionModel {
  readonly model: BedrockVisionModel;
  /** Why this provider answers, for the start-up log. */
  readonly why: string;
  /** The emulator's URL when it answers (in-process or external); undefined for Bedrock. */
  readonly emulatorUrl: string | undefined;
  /** Closes the model's connections and the in-process emulator, if one was started. */
  close(): Promise<void>;
}

export interface OpenVisionModelOptions {
  readonly production: boolean;
  readonly catalog: ModelCatalog;
  /** Static credentials (tests); otherwise the SDK's default chain, or fixed ones for the emulator. */
  readonly credentials?: AwsCredentialIdentity | undefined;
}

/**
 * Builds the model client BEDROCK_MODE asks for: Bedrock, an emulator already running at the
 * configured endpoint, or (in `auto` without credentials, outside production) an emulator started
 * in this process on a free loopback port. Refuses with a ConfigError in production without credentials.
 */
export async function openVisionModel(
  bedrock: BedrockConfig,
  options: OpenVisionModelOptions,
): Promise<OpenedVisionModel> {
  const common = {
    region: bedrock.region,
    maxAttempts: bedrock.maxAttempts,
    retryTimeouts: bedrock.retryTimeouts,
    connectionTimeoutMs: bedrock.connectionTimeoutMs,
    requestTimeoutMs: bedrock.requestTimeoutMs,
    catalog: options.catalog,
  };
  let candidate: BedrockVisionModel | undefined;
  const bedrockModel = () =>
    (candidate ??= createBedrockVisionModel({
      ...common,
      provider: 'BEDROCK',
      endpoint: bedrock.endpoint,
      bearerToken: bedrock.bearerToken,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      instanceMetadataTimeoutMs: options.production ? undefined : DEV_INSTANCE_METADATA_TIMEOUT_MS,
    }));
  const choice = await chooseBedrockMode({
    mode: bedrock.mode,
    endpoint: bedrock.endpoint,
    hasBearerToken: bedrock.bearerToken !== undefined,
    production: options.production,
    findCredentials: () => bedrockModel().findCredentials(),
  });
  if (choice.kind === 'bedrock') {
    const model = bedrockModel();
    return { model, why: choice.why, emulatorUrl: undefined, close: async () => model.destroy() };
  }
  candidate?.destroy();
  if (choice.kind === 'refuse') throw new ConfigError(choice.why);
  let emulator: Emulator | undefined;
  if (choice.endpoint === undefined) emulator = await startEmulator({ host: '127.0.0.1', port: 0 });
  const model = createBedrockVisionModel({
    ...common,
    provider: 'EMULATOR',
    endpoint: choice.endpoint ?? emulator?.url,
    credentials: options.credentials ?? EMULATOR_CREDENTIALS,
  });
  return {
    model,
    why: choice.why,
    emulatorUrl: choice.endpoint ?? emulator?.url,
    async close() {
      model.destroy();
      await emulator?.close();
    },
  };
}
