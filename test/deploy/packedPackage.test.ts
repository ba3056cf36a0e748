import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createFreshPostgresDatabase } from '../helpers/databases.js';
import { expectData, gql, type GraphQLResponse } from '../helpers/graphqlClient.js';
import { photoBoardJpeg, toBase64 } from '../helpers/images.js';
import { installPackedPackage, type InstalledPackage } from './installPackedPackage.js';
import { bareEnvironment, startInstance, type Instance } from './startInstance.js';

// Docker does not run on the development or CI machines (DESIGN.md), so the Dockerfile's runtime stage is checked
// here without it: the same package, unpacked from `npm pack`, production dependencies only, started from dist/.

const DESCRIBE = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      provider
      text
      clientRequestId
    }
  }
`;

const COUNT_BY_KEY = /* GraphQL */ `
  query Count($key: String!) {
    history(filter: { clientRequestId: $key }) {
      totalCount
    }
  }
`;

interface Described {
  describeImage: { id: string; status: string; provider: string; text: string; clientRequestId: string | null };
}

const image = toBase64(photoBoardJpeg());
const describeOn = (instance: Instance, clientRequestId?: string): Promise<GraphQLResponse<Described>> =>
  gql<Described>(`${instance.origin}/graphql`, DESCRIBE, {
    input: { image: { base64: image }, ...(clientRequestId === undefined ? {} : { clientRequestId }) },
  });

let workDir: string;
let installed: InstalledPackage;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'bvg-packed-'));
  installed = installPackedPackage(workDir);
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('the package made by npm pack', () => {
  it('holds what the server runs and none of the development tools', () => {
    const files = new Set(installed.packedFiles);
    for (const file of ['dist/src/main.js', 'schema.graphql', 'package.json', 'src/web/assets/main.js']) {
      expect(files, file).toContain(file);
    }
    expect([...files].some((f) => f.startsWith('prisma/migrations/') && f.endsWith('/migration.sql'))).toBe(true);
    expect([...files].filter((f) => f.startsWith('test/') || f.startsWith('bench/') || f.endsWith('.ts'))).toEqual([]);
    for (const devTool of ['vitest', 'typescript', 'prisma', 'eslint', '@graphql-codegen/cli']) {
      expect(existsSync(join(installed.dir, 'node_modules', devTool)), devTool).toBe(false);
    }
  });

  it('starts from dist on a machine without AWS credentials and describes the sample photo with the emulator', async () => {
    const home = join(workDir, 'home-fresh');
    mkdirSync(home);
    // Nothing configured at all, as after `npm install && npm start` on a fresh machine: embedded database in
    // ./data/pglite, the Bedrock emulator in-process.
    const instance = await startInstance(installed.dir, bareEnvironment(home, {}));
    try {
      expect(instance.logs.find((l) => l.msg === 'bedrock-vision-graphql ready')).toMatchObject({
        provider: 'EMULATOR',
        database: 'pglite',
      });
      expect(instance.logs.some((l) => String(l.msg).includes('built-in Bedrock emulator'))).toBe(true);
      expect((await fetch(`${instance.origin}/readyz`)).status).toBe(200);

      const described = expectData(await describeOn(instance)).describeImage;
      expect(described).toMatchObject({ status: 'SUCCEEDED', provider: 'EMULATOR' });
      expect(described.text).toContain('720×477 JPEG');

      const page = await (await fetch(`${instance.origin}/`)).text();
      expect(page).toContain('emulator-banner');
      expect(existsSync(join(installed.dir, 'data', 'pglite'))).toBe(true);
    } finally {
      expect(await instance.stop()).toBe(0);
    }
  });
});

describe('two instances of the package on one PostgreSQL', () => {
  let emulator: Emulator;
  let database: { url: string; drop(): Promise<void> };
  let instances: Instance[] = [];

  beforeAll(async () => {
    // One emulator for both, slow enough that requests on the two instances overlap.
    emulator = await startEmulator({ latencyMs: 300 });
    database = await createFreshPostgresDatabase();
    const home = join(workDir, 'home-pair');
    mkdirSync(home);
    const env = bareEnvironment(home, {
      DATABASE_URL: database.url,
      BEDROCK_MODE: 'emulator',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    });
    // Started together: both apply the migrations to the empty database, one at a time under an advisory lock.
    instances = await Promise.all([startInstance(installed.dir, env), startInstance(installed.dir, env)]);
  });

  afterAll(async () => {
    const codes = await Promise.all(instances.map((i) => i.stop()));
    await emulator?.close();
    await database?.drop();
    expect(codes).toEqual(instances.map(() => 0));
  });

  it('answers a retry on the other instance from the ledger, without a second model call', async () => {
    const [a, b] = instances as [Instance, Instance];
    emulator.resetCalls();
    const keys = Array.from({ length: 6 }, (_, i) => `spread-${i}-${Date.now()}`);
    const first = await Promise.all(keys.map((key, i) => describeOn(i % 2 === 0 ? a : b, key)));
    const retried = await Promise.all(keys.map((key, i) => describeOn(i % 2 === 0 ? b : a, key)));

    const firstIds = first.map((res) => expectData(res).describeImage.id);
    expect(retried.map((res) => expectData(res).describeImage.id)).toEqual(firstIds);
    expect(new Set(firstIds).size).toBe(keys.length);
    expect(emulator.calls).toHaveLength(keys.length);
  });

  it('calls the model once when the same clientRequestId reaches both instances at once', async () => {
    const [a, b] = instances as [Instance, Instance];
    emulator.resetCalls();
    const key = `twin-${Date.now()}`;
    const answers = await Promise.all([describeOn(a, key), describeOn(b, key), describeOn(a, key)]);

    expect(emulator.calls).toHaveLength(1);
    const succeeded = answers.filter((res) => res.errors === undefined).map((res) => res.data!.describeImage.id);
    const inProgress = answers.filter((res) => res.errors?.[0]?.extensions?.code === 'REQUEST_IN_PROGRESS');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(new Set(succeeded).size).toBe(1);
    expect(succeeded.length + inProgress.length).toBe(answers.length);
    for (const instance of instances) {
      const count = expectData(await gql(`${instance.origin}/graphql`, COUNT_BY_KEY, { key }));
      expect(count.history.totalCount).toBe(1);
    }
  });
});
