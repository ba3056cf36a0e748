import { generateApiKey } from '../../src/auth/index.js';
import type { ApiKeyRecord, Store } from '../../src/store/index.js';

export interface TestKey {
  readonly record: ApiKeyRecord;
  readonly secret: string;
  /** `{ authorization: 'Bearer …' }`, for fetch headers and graphql-ws connectionParams alike. */
  readonly auth: { readonly authorization: string };
}

/** A key made as `npm run keys -- create` makes it, straight in the store. */
export async function createTestKey(
  store: Store,
  options: { name?: string; admin?: boolean; rpm?: number; dailyUsd?: string; monthlyUsd?: string } = {},
): Promise<TestKey> {
  const generated = generateApiKey();
  const record = await store.apiKeys.create({
    name: options.name ?? 'test',
    prefix: generated.prefix,
    secretHash: generated.secretHash,
    admin: options.admin ?? false,
    rpm: options.rpm ?? null,
    dailyUsd: options.dailyUsd ?? null,
    monthlyUsd: options.monthlyUsd ?? null,
  });
  return { record, secret: generated.secret, auth: { authorization: `Bearer ${generated.secret}` } };
}
