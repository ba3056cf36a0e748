import { describe, expect, it } from 'vitest';
import { chooseBedrockMode, type BedrockModeInput, type CredentialLookup } from '../../src/bedrock/index.js';

const NONE: CredentialLookup = { found: false, reason: 'Could not load credentials from any providers' };

/** The decision with the given settings; `lookups` counts how often the credential chain was asked. */
async function choose(settings: Partial<Omit<BedrockModeInput, 'findCredentials'>>, credentials = NONE) {
  let lookups = 0;
  const choice = await chooseBedrockMode({
    mode: 'auto',
    endpoint: undefined,
    hasBearerToken: false,
    production: false,
    ...settings,
    findCredentials: async () => {
      lookups += 1;
      return credentials;
    },
  });
  return { choice, lookups };
}

describe('chooseBedrockMode', () => {
  it('falls back to an in-process emulator when nothing is configured outside production', async () => {
    const { choice, lookups } = await choose({});
    expect(choice).toEqual({ kind: 'emulator', endpoint: undefined, why: expect.stringContaining(NONE.reason) });
    expect(lookups).toBe(1);
  });

  it('uses Bedrock when the credential chain finds credentials', async () => {
    expect((await choose({ production: true }, { found: true })).choice.kind).toBe('bedrock');
    expect((await choose({}, { found: true })).choice.kind).toBe('bedrock');
  });

  it('refuses in production rather than fall back, and says how to fix it', async () => {
    const { choice } = await choose({ production: true });
    expect(choice.kind).toBe('refuse');
    expect(choice.why).toContain(NONE.reason);
    expect(choice.why).toContain('AWS_BEARER_TOKEN_BEDROCK');
    expect(choice.why).toContain('BEDROCK_MODE=emulator');
  });

  it('takes an API key or a configured endpoint as Bedrock without looking for credentials', async () => {
    for (const settings of [{ hasBearerToken: true }, { endpoint: 'https://bedrock-runtime.vpce.example' }]) {
      const { choice, lookups } = await choose({ ...settings, production: true });
      expect(choice.kind).toBe('bedrock');
      expect(lookups).toBe(0);
    }
  });

  it('obeys BEDROCK_MODE=emulator, in production too, in-process or at the configured endpoint', async () => {
    const inProcess = await choose({ mode: 'emulator', production: true }, { found: true });
    expect(inProcess.choice).toMatchObject({ kind: 'emulator', endpoint: undefined });
    const external = await choose({ mode: 'emulator', endpoint: 'http://127.0.0.1:4010' });
    expect(external.choice).toMatchObject({ kind: 'emulator', endpoint: 'http://127.0.0.1:4010' });
    expect(inProcess.lookups + external.lookups).toBe(0);
  });

  it('obeys BEDROCK_MODE=aws without credentials: calls will fail visibly instead of being emulated', async () => {
    const { choice, lookups } = await choose({ mode: 'aws' });
    expect(choice.kind).toBe('bedrock');
    expect(lookups).toBe(0);
  });
});
