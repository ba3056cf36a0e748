/**
 * Who is calling: API keys (generated, hashed, looked up), the caller every transport
 * authenticates to, the read scope and owner it implies, and the per-key rate limit.
 * Budgets live in the ledger's write-ahead statement (store/budgetSql), not here.
 */
export { generateApiKey } from './apiKeySecret.js';
export { createAuthenticator } from './createAuthenticator.js';
export type { Authenticator } from './createAuthenticator.js';
export { createRateLimiter } from './createRateLimiter.js';
export type { RateLimiter } from './createRateLimiter.js';
export { OPEN_CALLER, bindingOf, callerLabel, forbidden, isAdmin, ownerOf, scopeFilter, scopeOf } from './Caller.js';
export type { Caller } from './Caller.js';
export { listenAddress } from './listenAddress.js';
