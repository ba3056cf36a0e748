/**
 * Fetching client-supplied image URLs without SSRF: https only, allowed ports, no
 * credentials, public addresses only (checked on every resolved address and again on
 * the connected socket, with connections pinned to the vetted address), bounded
 * redirects, size and time. See README.md.
 */
export { fetchImageUrl } from './fetchImageUrl.js';
export type { FetchedImageUrl } from './fetchImageUrl.js';
export { isForbiddenAddress } from './isForbiddenAddress.js';
export { DEFAULT_URL_FETCH_POLICY } from './urlFetchPolicy.js';
export type { UrlFetchPolicy } from './urlFetchPolicy.js';
