import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.js';
import { OPEN_MODE_KEY_ID, type ApiKeyRecord, type ApiKeyRepository } from '../store/index.js';
import { prefixOf, secretMatches } from './apiKeySecret.js';
import { OPEN_CALLER, type Caller } from './Caller.js';

export interface Authenticator {
  /**
   * The caller an `Authorization` header value names: open mode while no key is active (where open
   * mode is allowed), whatever the header says; otherwise the key, or UNAUTHENTICATED for a missing,
   * unknown, revoked or malformed one.
   */
  authenticate(authorization: string | undefined): Promise<Caller>;
  /**
   * How metrics name the key a ledger row belongs to: its public prefix, once this process has
   * seen the key; undefined for open mode's implicit owner (its series carry no key label).
   */
  keyLabel(apiKeyId: string): string | undefined;
}

export interface AuthenticatorOptions {
  /** How long a key (or its absence) is trusted without asking the database: revocation takes at most this long. */
  readonly cacheTtlMs: number;
  /**
   * Whether this process may run open while no key is active: only when it started open (so it
   * listens on loopback, outside production; see listenAddress). A server that started with keys
   * may listen on a network address, and revoking its last key must not open it to everyone.
   */
  readonly openModeAllowed: boolean;
}

type Entry = { readonly key: ApiKeyRecord; readonly secretHash: string } | 'unknown';

const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message);

/**
 * Checks bearer keys against the ledger's api_key table, caching each prefix's row (and
 * the answer "no such prefix", so a flood of made-up keys costs one lookup per prefix per
 * TTL, bounded in number) for `cacheTtlMs`. Budgets do not depend on this cache: the
 * write-ahead statement re-checks revocation and limits atomically.
 */
export function createAuthenticator(keys: ApiKeyRepository, options: AuthenticatorOptions): Authenticator {
  // A TTL of 0 turns the cache off (lru-cache would read it as "never expires").
  const caching = options.cacheTtlMs > 0;
  const byPrefix = new LRUCache<string, Entry>({ max: 10_000, ttl: caching ? options.cacheTtlMs : 1 });
  let active: { readonly value: boolean; readonly until: number } | undefined;
  // Bounded by the keys an operator made, and kept whatever the cache's TTL: a prefix never changes.
  const prefixById = new Map<string, string>();

  // Whether any key is active (cached like the keys): decides open mode where it is allowed.
  const keysExist = async () => {
    if (!caching || active === undefined || active.until <= Date.now()) {
      active = { value: await keys.anyActive(), until: Date.now() + options.cacheTtlMs };
    }
    return active.value;
  };

  const lookup = async (prefix: string): Promise<Entry> => {
    const cached = caching ? byPrefix.get(prefix) : undefined;
    if (cached !== undefined) return cached;
    const entry: Entry = (await keys.findByPrefix(prefix)) ?? 'unknown';
    if (entry !== 'unknown') prefixById.set(entry.key.id, entry.key.prefix);
    if (caching) byPrefix.set(prefix, entry);
    return entry;
  };

  return {
    keyLabel(apiKeyId) {
      if (apiKeyId === OPEN_MODE_KEY_ID) return undefined;
      // A row is completed by the process that authenticated its key, so this is a fallback only.
      return prefixById.get(apiKeyId) ?? 'unknown';
    },
    async authenticate(authorization) {
      // Open mode takes every request, a key or a placeholder in the header included (the playground
      // sends one): there is nothing to check it against.
      if (options.openModeAllowed && !(await keysExist())) return OPEN_CALLER;
      if (authorization === undefined || authorization === '') {
        throw unauthenticated('An API key is required: send Authorization: Bearer <key>');
      }
      const match = /^Bearer[ ]+(\S+)$/i.exec(authorization);
      const secret = match?.[1];
      const prefix = secret === undefined ? undefined : prefixOf(secret);
      if (secret === undefined || prefix === undefined) {
        throw unauthenticated('The Authorization header is not Bearer <API key>');
      }
      const entry = await lookup(prefix);
      if (entry === 'unknown' || !secretMatches(secret, entry.secretHash)) {
        throw unauthenticated('Unknown API key');
      }
      if (entry.key.revokedAt !== null) throw unauthenticated('The API key was revoked');
      return { kind: 'key', key: entry.key };
    },
  };
}
