import type { Readable } from 'node:stream';
import { isAppError } from '../../errors.js';
import { request } from 'undici';
import { checkImageUrl } from './checkImageUrl.js';
import { createPinnedAgent } from './createPinnedAgent.js';
import { isForbiddenAddress } from './isForbiddenAddress.js';
import { lookupAll } from './lookupAll.js';
import { pinHost, type HostPins, type ResolveHost } from './pinHost.js';
import { readCappedBody } from './readCappedBody.js';
import type { UrlFetchPolicy } from './urlFetchPolicy.js';
import { fetchFailed } from './urlErrors.js';

/** The downloaded bytes, before any format check: intake sniffs and validates them. */
export interface FetchedImageUrl {
  readonly bytes: Buffer;
  /** As the remote host declared it; a claim, not a fact. */
  readonly contentType: string | undefined;
  /** The URL after redirects. */
  readonly finalUrl: string;
}

/**
 * The network seams of a fetch. Internal: tests swap them to play DNS rebinding or to
 * call a loopback address "public" on a closed network; production uses the defaults.
 */
export interface UrlFetchDeps {
  readonly resolveHost: ResolveHost;
  /** Which addresses are refused; ignored when the policy allows private addresses. */
  readonly isForbiddenAddress: (address: string) => boolean;
}

// undici reports a body destroyed before its end as an 'error' event; here that is
// the intent, not a failure, so it must not surface as an uncaught exception.
function discard(body: Readable): void {
  body.on('error', () => undefined).destroy();
}

const DEFAULT_DEPS: UrlFetchDeps = { resolveHost: lookupAll, isForbiddenAddress };
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const REQUEST_HEADERS = { 'user-agent': 'bedrock-vision-graphql', accept: 'image/*' };

/**
 * Downloads a client-supplied image URL without letting the client aim the server at
 * itself or its network (SSRF). Policy refusals (scheme, credentials, port, an address
 * that is not public, on the first URL or any redirect) are IMAGE_URL_FORBIDDEN and
 * happen before any connection to that address. Everything the remote side does wrong
 * (DNS, connect, TLS, status, timeout, size, empty body, too many redirects) is one
 * IMAGE_FETCH_FAILED with one message, so responses reveal nothing about what lies
 * behind the server. If the caller's `signal` aborts, its reason is thrown instead,
 * so a cancelled request is not reported as the URL's fault.
 */
export function fetchImageUrl(url: string, policy: UrlFetchPolicy, signal?: AbortSignal): Promise<FetchedImageUrl> {
  return fetchImageUrlWith(url, policy, DEFAULT_DEPS, signal);
}

/** {@link fetchImageUrl} with its network seams exposed, for tests only. */
export async function fetchImageUrlWith(
  rawUrl: string,
  policy: UrlFetchPolicy,
  deps: UrlFetchDeps,
  signal?: AbortSignal,
): Promise<FetchedImageUrl> {
  signal?.throwIfAborted();
  let url = checkImageUrl(rawUrl, policy);
  // One deadline for everything, DNS and every redirect included, not one per step.
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  const isForbidden = policy.allowPrivateAddresses ? () => false : deps.isForbiddenAddress;
  const pins: HostPins = new Map();
  const agent = createPinnedAgent(pins, { isForbidden, ca: policy.ca, timeoutMs: policy.timeoutMs });
  try {
    for (let redirects = 0; ; redirects += 1) {
      await pinHost(url, pins, deps.resolveHost, isForbidden, combined);
      const response = await request(url, {
        dispatcher: agent,
        method: 'GET',
        headers: REQUEST_HEADERS,
        signal: combined,
      });
      const { statusCode, headers, body } = response;
      if (REDIRECT_STATUSES.has(statusCode)) {
        discard(body);
        // A long chain is the remote host's doing, not the client's URL: the generic failure.
        if (redirects >= policy.maxRedirects) {
          throw fetchFailed(new Error(`More than ${policy.maxRedirects} redirects`));
        }
        const location = headers.location;
        if (typeof location !== 'string') throw fetchFailed(new Error(`Redirect ${statusCode} without one Location`));
        url = checkImageUrl(location, policy, url);
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        discard(body);
        throw fetchFailed(new Error(`HTTP status ${statusCode}`));
      }
      // A declared length over the cap fails without reading; a missing or lying one is
      // caught by the cap while streaming.
      if (Number(headers['content-length']) > policy.maxBytes) {
        discard(body);
        throw fetchFailed(new Error(`Content-Length over ${policy.maxBytes} bytes`));
      }
      const bytes = await readCappedBody(body, policy.maxBytes);
      if (bytes === undefined) throw fetchFailed(new Error(`Body over ${policy.maxBytes} bytes`));
      if (bytes.length === 0) throw fetchFailed(new Error('Empty body'));
      const contentType = headers['content-type'];
      return { bytes, contentType: typeof contentType === 'string' ? contentType : undefined, finalUrl: url.href };
    }
  } catch (error) {
    if (isAppError(error)) throw error;
    if (signal?.aborted === true) throw signal.reason;
    throw fetchFailed(error);
  } finally {
    // destroy, not close: close would wait for a stalled response to finish.
    await agent.destroy().catch(() => undefined);
  }
}
