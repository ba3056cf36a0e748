import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';
import type { HostPins } from './pinHost.js';
import { urlForbidden } from './urlErrors.js';

export interface PinnedAgentOptions {
  /** The address classifier for this fetch (always false when private addresses are allowed). */
  readonly isForbidden: (address: string) => boolean;
  /** Extra trusted CA (PEM), added to Node's roots rather than replacing them. */
  readonly ca?: string | undefined;
  readonly timeoutMs: number;
}

/**
 * An undici Agent that can only connect to addresses already vetted into `pins`.
 * Connections keep the hostname for SNI, certificate checks and Host, but the socket's
 * DNS lookup is answered from `pins`, so a name that re-resolves between the check
 * and the connect (DNS rebinding) still reaches only the vetted address. After the
 * handshake, and before any HTTP byte is sent, the peer address is checked once more;
 * that also covers IP-literal hosts, for which the socket does no lookup.
 */
export function createPinnedAgent(pins: HostPins, options: PinnedAgentOptions): Agent {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const wanted = familyNumber(lookupOptions.family);
    const addresses = (pins.get(hostname) ?? []).filter((a) => wanted === 0 || isIP(a) === wanted);
    if (addresses.length === 0) {
      callback(new Error('No vetted address for this host'), []);
    } else if (addresses.some(options.isForbidden)) {
      callback(urlForbidden('it points to an address that is not public'), []);
    } else if (lookupOptions.all === true) {
      callback(
        null,
        addresses.map((address) => ({ address, family: isIP(address) })),
      );
    } else {
      callback(null, addresses[0]!, isIP(addresses[0]!));
    }
  };
  const base = buildConnector({
    lookup,
    timeout: options.timeoutMs,
    ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }),
  });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    base(connectOptions, (error, socket) => {
      if (error !== null || socket === null) {
        callback(error ?? new Error('The connection failed'), null);
        return;
      }
      const remote = socket.remoteAddress;
      const vetted = pins.get(connectOptions.hostname) ?? [];
      if (remote === undefined || !vetted.some((a) => sameAddress(a, remote)) || options.isForbidden(remote)) {
        socket.destroy();
        callback(urlForbidden('it points to an address that is not public'), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({
    connect,
    // Backstops: the fetch's AbortSignal is the real deadline.
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
}

function familyNumber(family: number | string | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return typeof family === 'number' ? family : 0;
}

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.process(a).toNormalizedString() === ipaddr.process(b).toNormalizedString();
  } catch {
    return false;
  }
}
