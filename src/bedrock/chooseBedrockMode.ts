import type { CredentialLookup } from './createBedrockVisionModel.js';

/** BEDROCK_MODE: who answers model calls. */
export type BedrockMode = 'auto' | 'aws' | 'emulator';

export interface BedrockModeInput {
  readonly mode: BedrockMode;
  /** AWS_ENDPOINT_URL_BEDROCK_RUNTIME: a configured endpoint is taken as Bedrock unless the mode says emulator. */
  readonly endpoint: string | undefined;
  readonly hasBearerToken: boolean;
  /** NODE_ENV=production: `auto` never falls back to the emulator there. */
  readonly production: boolean;
  /** The SDK's credential chain; only asked when the answer depends on it. */
  readonly findCredentials: () => Promise<CredentialLookup>;
}

/**
 * What answers, and why, in words fit for the start-up log. `emulator.endpoint` is an emulator
 * already running there (`npm run dev`, `npm run emulator`); undefined means start one in-process.
 */
export type BedrockChoice =
  | { readonly kind: 'bedrock'; readonly why: string }
  | { readonly kind: 'emulator'; readonly endpoint: string | undefined; readonly why: string }
  | { readonly kind: 'refuse'; readonly why: string };

/**
 * Decides between Bedrock and the built-in emulator. The point of `auto` is that a fresh
 * clone's `npm start` does its job with no AWS account, while a server that was meant to
 * reach Bedrock never quietly serves made-up answers: in production it refuses to start.
 */
export async function chooseBedrockMode(input: BedrockModeInput): Promise<BedrockChoice> {
  switch (input.mode) {
    case 'emulator':
      return {
        kind: 'emulator',
        endpoint: input.endpoint,
        why: input.endpoint === undefined ? 'BEDROCK_MODE=emulator' : `BEDROCK_MODE=emulator at ${input.endpoint}`,
      };
    case 'aws':
      return { kind: 'bedrock', why: 'BEDROCK_MODE=aws' };
    case 'auto':
      break;
    default: {
      const unreachable: never = input.mode;
      throw new Error(`Unknown BEDROCK_MODE ${String(unreachable)}`);
    }
  }
  if (input.endpoint !== undefined)
    return { kind: 'bedrock', why: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${input.endpoint}` };
  if (input.hasBearerToken) return { kind: 'bedrock', why: 'AWS_BEARER_TOKEN_BEDROCK is set' };
  const lookup = await input.findCredentials();
  if (lookup.found) return { kind: 'bedrock', why: 'AWS credentials found' };
  if (input.production) {
    return {
      kind: 'refuse',
      why:
        `NODE_ENV=production and no AWS credentials were found (${lookup.reason}). Give the process credentials ` +
        '(an IAM role, AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or a Bedrock API key ' +
        '(AWS_BEARER_TOKEN_BEDROCK); BEDROCK_MODE=emulator runs on the built-in emulator on purpose.',
    };
  }
  return { kind: 'emulator', endpoint: undefined, why: `no AWS credentials found (${lookup.reason})` };
}
