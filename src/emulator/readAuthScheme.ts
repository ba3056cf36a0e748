import type { WireRequest } from './wire.js';

/** How a call was authenticated, as the emulator saw it (recorded on every call). */
export type AuthScheme = 'sigv4' | 'bearer' | 'none';

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=\S+, ?SignedHeaders=\S+, ?Signature=[0-9a-f]{64}$/;
const BEARER = /^Bearer \S+$/;

/**
 * Reads the Authorization header's scheme: a SigV4 signature (its shape; the emulator knows no secrets),
 * a Bedrock API key (`Bearer`, what the SDK sends when AWS_BEARER_TOKEN_BEDROCK is set), or none at all
 * (curl and raw HTTP/2 clients, which the emulator serves too). Undefined for anything else, which
 * Bedrock would refuse.
 */
export function readAuthScheme(req: WireRequest): AuthScheme | undefined {
  const header = req.headers.authorization;
  if (header === undefined || header === '') return 'none';
  if (SIGV4.test(header)) return 'sigv4';
  if (BEARER.test(header)) return 'bearer';
  return undefined;
}
