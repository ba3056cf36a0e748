import { isIP } from 'node:net';
import { bareHostname } from './checkImageUrl.js';
import { urlForbidden } from './urlErrors.js';

/** Resolves a name to every address it has (all families). */
export type ResolveHost = (hostname: string) => Promise<readonly string[]>;

/** Hostname (as the socket sees it) → the vetted addresses connections to it may use. */
export type HostPins = Map<string, readonly string[]>;

/**
 * Vets the addresses behind `url`'s host and records them in `pins`, which the
 * connector is the only source of addresses for. Every address a name resolves to
 * must pass, not just the first: the OS may try any of them. A name already pinned in
 * this fetch keeps its first vetted answer, so a later redirect cannot re-resolve it
 * to something else.
 */
export async function pinHost(
  url: URL,
  pins: HostPins,
  resolveHost: ResolveHost,
  isForbidden: (address: string) => boolean,
  signal: AbortSignal,
): Promise<void> {
  const host = bareHostname(url);
  if (pins.has(host)) return;
  const addresses = isIP(host) !== 0 ? [host] : await untilAborted(resolveHost(host), signal);
  if (addresses.length === 0) throw new Error('The name resolved to no address');
  if (addresses.some(isForbidden)) throw urlForbidden('it points to an address that is not public');
  pins.set(host, addresses);
}

// dns.lookup cannot be cancelled; the fetch's deadline must not wait for it.
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
