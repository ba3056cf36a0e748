import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every secret starts with this, so it is recognisable in a leak scan or a log. */
const SCHEME = 'bvg';
/** bvg_<8 lowercase base32 characters>_<32 base64url characters>: public prefix, then the secret proper. */
const SECRET_SHAPE = /^(bvg_[a-z2-7]{8})_[A-Za-z0-9_-]{32}$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export interface GeneratedApiKey {
  /** Shown once, never stored. */
  readonly secret: string;
  /** Stored and shown: finds the key, names it in logs. */
  readonly prefix: string;
  readonly secretHash: string;
}

/**
 * A new key: 40 random bits of public prefix and 192 of secret. The secret is random and
 * long, so a plain sha256 of it cannot be brute-forced and needs no slow password hash.
 */
export function generateApiKey(): GeneratedApiKey {
  const prefix = `${SCHEME}_${[...randomBytes(8)].map((b) => BASE32[b % 32]).join('')}`;
  const secret = `${prefix}_${randomBytes(24).toString('base64url')}`;
  return { secret, prefix, secretHash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The public prefix of a well-formed secret; undefined for anything else (never looked up). */
export function prefixOf(secret: string): string | undefined {
  return SECRET_SHAPE.exec(secret)?.[1];
}

/** Compares in constant time, so response timing does not reveal how much of a hash matched. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
