import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, type TestKey } from '../helpers/apiKeys.js';
import { DATABASES } from '../helpers/databases.js';
import { expectData, expectErrorCode, gql } from '../helpers/graphqlClient.js';
import { solidImage, toBase64 } from '../helpers/images.js';
import { startTestApp, type TestApp } from '../helpers/startTestApp.js';
import { subscribe, wsClient } from '../helpers/subscribe.js';

const DESCRIBE = /* GraphQL */ `
  mutation ($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      apiKeyId
      images {
        sha256
      }
    }
  }
`;
const HISTORY = /* GraphQL */ `
  query ($filter: HistoryFilter, $first: Int, $after: String) {
    history(filter: $filter, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          apiKeyId
        }
      }
    }
  }
`;

describe.each(DATABASES)('two API keys side by side on %s', (kind) => {
  let t: TestApp;
  let storeDir: string;
  let alice: TestKey;
  let bob: TestKey;
  let admin: TestKey;
  /** Alice's row, and the image only she sent. */
  let aliceRow: { id: string; sha256: string };
  let bobRow: { id: string };

  const as = (key: TestKey | undefined, query: string, variables: Record<string, unknown> = {}) =>
    gql(t.url, query, variables, key?.auth ?? {});
  const origin = () => t.url.replace(/\/graphql$/, '');
  const fetchAs = (key: TestKey, path: string) => fetch(`${origin()}${path}`, { headers: key.auth });

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'bvg-isolation-'));
    t = await startTestApp(kind, { images: { store: { kind: 'file', dir: storeDir } } });
    alice = await createTestKey(t.app.store, { name: 'alice' });
    bob = await createTestKey(t.app.store, { name: 'bob' });
    admin = await createTestKey(t.app.store, { name: 'ops', admin: true });
    const a = expectData(
      await as(alice, DESCRIBE, {
        input: {
          image: { base64: toBase64(await solidImage(64, 48, 'png', { r: 160, g: 16, b: 16 })) },
          clientRequestId: 'shared-key',
        },
      }),
    ).describeImage;
    aliceRow = { id: a.id, sha256: a.images[0].sha256 };
    const b = expectData(
      await as(bob, DESCRIBE, {
        input: {
          image: { base64: toBase64(await solidImage(64, 48, 'png', { r: 16, g: 16, b: 160 })) },
          clientRequestId: 'shared-key',
        },
      }),
    ).describeImage;
    bobRow = { id: b.id };
    expect(a.apiKeyId).toBe(alice.record.id);
    expect(b.apiKeyId).toBe(bob.record.id);
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('refuses a missing, malformed, unknown or revoked key with UNAUTHENTICATED (401) once keys exist', async () => {
    const revoked = await createTestKey(t.app.store);
    await t.app.store.apiKeys.revoke(revoked.record.prefix);
    const forged = `${alice.secret.slice(0, -4)}AAAA`;
    for (const authorization of [
      undefined,
      'Basic abc',
      'Bearer nonsense',
      `Bearer ${forged}`,
      revoked.auth.authorization,
    ]) {
      const res = await gql(t.url, '{ models { id } }', {}, authorization === undefined ? {} : { authorization });
      expect(res.status, String(authorization)).toBe(401);
      expectErrorCode(res, 'UNAUTHENTICATED');
    }
    const exported = await fetch(`${origin()}/export/history.ndjson`);
    expect(exported.status).toBe(401);
    expect(exported.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers another key’s row id exactly like an id that does not exist', async () => {
    expect(expectData(await as(bob, '{ description(id: "' + aliceRow.id + '") { id } }')).description).toBeNull();
    expect(expectData(await as(alice, '{ description(id: "' + aliceRow.id + '") { id } }')).description).toEqual({
      id: aliceRow.id,
    });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await as(bob, `{ description(id: "${aliceRow.id}") { id } }`)).toEqual(
      await as(bob, `{ description(id: "${missing}") { id } }`),
    );
  });

  it('shows each key only its own rows in history, counts and the usage summary', async () => {
    const own = expectData(await as(bob, HISTORY)).history;
    expect(own.totalCount).toBe(1);
    expect(own.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([bobRow.id]);
    const summary = expectData(await as(bob, '{ usageSummary(groupBy: []) { requests } }')).usageSummary;
    expect(summary).toEqual([{ requests: 1 }]);
    expectErrorCode(await as(bob, HISTORY, { filter: { apiKeyId: [alice.record.id] } }), 'FORBIDDEN');
    expectErrorCode(await as(bob, '{ usageSummary(groupBy: [API_KEY]) { requests } }'), 'FORBIDDEN');
  });

  it('lets an admin key see every row, filter by key and group by key', async () => {
    const all = expectData(await as(admin, HISTORY)).history;
    expect(all.totalCount).toBe(2);
    const onlyAlice = expectData(await as(admin, HISTORY, { filter: { apiKeyId: [alice.record.id] } })).history;
    expect(onlyAlice.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([aliceRow.id]);
    const byKey = expectData(await as(admin, '{ usageSummary(groupBy: [API_KEY]) { apiKeyId requests } }'))
      .usageSummary as { apiKeyId: string; requests: number }[];
    expect(byKey.sort((x, y) => x.apiKeyId.localeCompare(y.apiKeyId))).toEqual(
      [
        { apiKeyId: alice.record.id, requests: 1 },
        { apiKeyId: bob.record.id, requests: 1 },
      ].sort((x, y) => x.apiKeyId.localeCompare(y.apiKeyId)),
    );
  });

  it('keeps idempotency keys per API key: the same clientRequestId made two rows, one per key', () => {
    expect(aliceRow.id).not.toBe(bobRow.id);
  });

  it('exports only the caller’s rows, as NDJSON and CSV', async () => {
    const ndjson = await (await fetchAs(bob, '/export/history.ndjson')).text();
    expect(ndjson).toContain(bobRow.id);
    expect(ndjson).not.toContain(aliceRow.id);
    const csv = await (await fetchAs(bob, '/export/history.csv')).text();
    expect(csv).toContain(bobRow.id);
    expect(csv).not.toContain(aliceRow.id);
    const forbidden = await fetchAs(bob, `/export/history.ndjson?apiKeyId=${alice.record.id}`);
    expect(forbidden.status).toBe(403);
  });

  it('serves an image, its record and its bytes only to a key whose rows sent it', async () => {
    const query = `{ image(sha256: "${aliceRow.sha256}") { sha256 } }`;
    expect(expectData(await as(bob, query)).image).toBeNull();
    expect(expectData(await as(alice, query)).image).toEqual({ sha256: aliceRow.sha256 });
    expect((await fetchAs(bob, `/images/${aliceRow.sha256}`)).status).toBe(404);
    expect((await fetchAs(alice, `/images/${aliceRow.sha256}`)).status).toBe(200);
    expect((await fetchAs(admin, `/images/${aliceRow.sha256}`)).status).toBe(200);
    expect((await fetch(`${origin()}/images/${aliceRow.sha256}`)).status).toBe(401);
  });

  it('refuses a cursor issued to another key as CURSOR_INVALID', async () => {
    const page = expectData(await as(admin, HISTORY, { first: 1 })).history;
    const cursor = page.edges[0].cursor as string;
    expectErrorCode(await as(bob, HISTORY, { first: 1, after: cursor }), 'BAD_USER_INPUT', 'CURSOR_INVALID');
    expectData(await as(admin, HISTORY, { first: 1, after: cursor }));
  });

  it('does not delete another key’s row: it answers false, as for a missing one, and the row stays', async () => {
    const mutation = `mutation { deleteDescription(id: "${aliceRow.id}") }`;
    expect(expectData(await as(bob, mutation)).deleteDescription).toBe(false);
    expect(expectData(await as(alice, `{ description(id: "${aliceRow.id}") { id } }`)).description).not.toBeNull();
  });

  it('over WebSocket: refuses a socket without a valid key, and scopes reads and writes to the key of connection_init', async () => {
    const anonymous = wsClient(t.url);
    await expect(subscribe(anonymous, '{ models { id } }', {}).done).rejects.toMatchObject({ code: 4403 });
    await anonymous.dispose();

    const client = wsClient(t.url, bob.auth);
    try {
      const [read] = await subscribe<{ history: { totalCount: number; edges: { node: { id: string } }[] } }>(
        client,
        HISTORY,
        {},
      ).done;
      expect(read!.history.edges.map((e) => e.node.id)).toEqual([bobRow.id]);
      const other = await subscribe<{ description: unknown }>(
        client,
        `{ description(id: "${aliceRow.id}") { id } }`,
        {},
      ).done;
      expect(other).toEqual([{ description: null }]);
      // The other doors, as over HTTP: Alice's image, the summary of Bob's rows only, and no deletion of hers.
      expect(await subscribe(client, `{ image(sha256: "${aliceRow.sha256}") { sha256 } }`, {}).done).toEqual([
        { image: null },
      ]);
      expect(await subscribe(client, '{ usageSummary(groupBy: []) { requests } }', {}).done).toEqual([
        { usageSummary: [{ requests: 1 }] },
      ]);
      expect(await subscribe(client, `mutation { deleteDescription(id: "${aliceRow.id}") }`, {}).done).toEqual([
        { deleteDescription: false },
      ]);
      expect(expectData(await as(alice, `{ description(id: "${aliceRow.id}") { id } }`)).description).toEqual({
        id: aliceRow.id,
      });
      const events = await subscribe<{ describeImageStream: { description: { apiKeyId: string } | null } }>(
        client,
        /* GraphQL */ `
          subscription ($input: DescribeImageInput!) {
            describeImageStream(input: $input) {
              description {
                apiKeyId
              }
            }
          }
        `,
        { input: { image: { base64: toBase64(await solidImage(32, 32, 'png', { r: 16, g: 160, b: 16 })) } } },
      ).done;
      expect(events.at(-1)!.describeImageStream.description!.apiKeyId).toBe(bob.record.id);
    } finally {
      await client.dispose();
    }
  });
});

describe('GET /metrics with API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No address may scrape: only an admin key gets in.
    t = await startTestApp('pglite', { config: { metrics: { allow: [] } } });
  }, 60_000);
  afterAll(() => t?.stop());

  it('answers an admin key from an address outside METRICS_ALLOW, and 404 to every other caller', async () => {
    const admin = await createTestKey(t.app.store, { admin: true });
    const plain = await createTestKey(t.app.store);
    const metrics = (headers: Record<string, string>) => fetch(t.url.replace(/\/graphql$/, '/metrics'), { headers });
    const allowed = await metrics(admin.auth);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('bvg_');
    expect((await metrics(plain.auth)).status).toBe(404);
    expect((await metrics({})).status).toBe(404);
  });
});
