/**
 * What a fetch of a client-supplied image URL may do. The server fetches on the
 * client's behalf, so every field limits how far a client can turn that fetch
 * against the server or the network behind it.
 */
export interface UrlFetchPolicy {
  /** Ports allowed in URLs; default [443], so a URL cannot probe other services on a host. */
  readonly allowedPorts: readonly number[];
  /** Max bytes read from the body (Content-Length is never trusted); a body over this → IMAGE_FETCH_FAILED. */
  readonly maxBytes: number;
  /** Total time for the whole fetch incl. DNS, connect, TLS, redirects and body, so a slow host cannot hold a request. */
  readonly timeoutMs: number;
  /** Max redirects followed (default 3); more → IMAGE_FETCH_FAILED. */
  readonly maxRedirects: number;
  /** Test/closed-network only: allow loopback/private addresses. Default false. */
  readonly allowPrivateAddresses: boolean;
  /** Extra trusted CA certificates (PEM), e.g. a test server's self-signed cert; added to Node's root store. */
  readonly ca?: string | undefined;
}

/**
 * The policy for the open internet. 20 MiB is above the 3.75 MB Bedrock takes because
 * intake downscales and re-encodes after the fetch, so the raw download may be larger.
 */
export const DEFAULT_URL_FETCH_POLICY: UrlFetchPolicy = Object.freeze({
  allowedPorts: Object.freeze([443]),
  maxBytes: 20 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
  allowPrivateAddresses: false,
  ca: undefined,
});
