import type { UrlFetchPolicy } from './urlFetchPolicy.js';
import { urlForbidden } from './urlErrors.js';

/**
 * Parses a URL (relative to `base` for a redirect's Location) and applies the rules
 * that need no network: https only, no credentials, an allowed port. Runs on the
 * first URL and on every redirect, so a redirect cannot downgrade what the client
 * was allowed to ask for. The WHATWG parser has already turned odd IPv4 spellings
 * (`2130706433`, `0x7f.1`, `127.1`) into dotted quads, so later address checks see
 * the normalised host.
 */
export function checkImageUrl(raw: string, policy: UrlFetchPolicy, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw urlForbidden('it is not a valid absolute URL');
  }
  // Plain http can be rewritten by anyone on the path and reaches internal services
  // that only listen without TLS.
  if (url.protocol !== 'https:') throw urlForbidden('only https URLs are fetched');
  // Credentials would be sent to whatever the URL points at, and make URLs that look
  // like another host (https://trusted@evil/).
  if (url.username !== '' || url.password !== '') throw urlForbidden('URLs with credentials are not fetched');
  const port = url.port === '' ? 443 : Number(url.port);
  if (!policy.allowedPorts.includes(port)) throw urlForbidden(`port ${port} is not allowed`);
  return url;
}

/** The host as a socket sees it: an IPv6 literal without its brackets. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
