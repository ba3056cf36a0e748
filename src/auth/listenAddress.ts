import { isIP } from 'node:net';

/** Loopback in open mode, so a laptop without keys is never reachable from its network. */
const OPEN_MODE_HOST = '127.0.0.1';
const KEYED_HOST = '0.0.0.0';

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * Where to listen, given whether API keys exist: the one safe default on one laptop, and a
 * refusal (the message to start with) for the two unsafe ones, an open API on a network
 * address, or in production.
 */
export function listenAddress(
  configured: string | undefined,
  keysExist: boolean,
  production: boolean,
): { readonly host: string } | { readonly refusal: string } {
  if (keysExist) return { host: configured ?? KEYED_HOST };
  if (production) {
    return {
      refusal:
        'No API key exists and NODE_ENV=production: refusing to run an open API. Create one with ' +
        '`npm run keys -- create --name <name> --admin` against the same DATABASE_URL, then start again.',
    };
  }
  const host = configured ?? OPEN_MODE_HOST;
  if (!isLoopback(host)) {
    return {
      refusal:
        `No API key exists: refusing to listen on ${host} without authentication. Create a key with ` +
        '`npm run keys -- create --name <name>`, or leave HOST unset to listen on 127.0.0.1 only.',
    };
  }
  return { host };
}
