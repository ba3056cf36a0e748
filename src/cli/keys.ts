import { parseArgs } from 'node:util';
import { generateApiKey } from '../auth/index.js';
import { ConfigError, loadConfig } from '../config.js';
import { openStore, type ApiKeyRecord, type ApiKeyRepository } from '../store/index.js';

const USAGE = `Usage:
  npm run keys -- create --name <name> [--admin] [--rpm N] [--daily-usd X] [--monthly-usd X]
  npm run keys -- list
  npm run keys -- revoke <id or prefix>

Works on the database DATABASE_URL names (the embedded PGlite folder when unset). The secret is
printed once, on the last line of create's output; only its hash is stored.`;

class UsageError extends Error {}

const DECIMAL = /^\d{1,8}(\.\d{1,12})?$/;

function usd(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!DECIMAL.test(value)) throw new UsageError(`${flag} must be a decimal number of USD, e.g. 25 or 2.50`);
  return value;
}

function describeKey(key: ApiKeyRecord): string {
  const limits = [
    key.admin ? 'admin' : 'key',
    key.rpm === null ? 'rpm unlimited' : `rpm ${key.rpm}`,
    `today $${key.spentTodayUsd}${key.dailyUsd === null ? '' : ` of $${key.dailyUsd}`}`,
    `this month $${key.spentThisMonthUsd}${key.monthlyUsd === null ? '' : ` of $${key.monthlyUsd}`}`,
  ];
  const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt.toISOString()}`;
  return `${key.id}  ${key.prefix}  ${JSON.stringify(key.name)}  ${limits.join(', ')}  ${state}`;
}

async function run(keys: ApiKeyRepository, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      rpm: { type: 'string' },
      'daily-usd': { type: 'string' },
      'monthly-usd': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'create': {
      const name = values.name?.trim();
      if (name === undefined || name === '' || name.length > 200) {
        throw new UsageError('create needs --name (1 to 200 characters)');
      }
      const rpm = values.rpm === undefined ? null : Number(values.rpm);
      if (rpm !== null && !(Number.isSafeInteger(rpm) && rpm >= 1))
        throw new UsageError('--rpm must be a whole number ≥ 1');
      const generated = generateApiKey();
      const key = await keys.create({
        name,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        admin: values.admin,
        rpm,
        dailyUsd: usd('--daily-usd', values['daily-usd']),
        monthlyUsd: usd('--monthly-usd', values['monthly-usd']),
      });
      console.log(`created ${describeKey(key)}`);
      console.log('The secret below is shown once and cannot be recovered; send it as Authorization: Bearer <secret>.');
      console.log(generated.secret);
      return;
    }
    case 'list': {
      const all = await keys.list();
      if (all.length === 0) console.log('No API keys: the API runs open, on 127.0.0.1 only.');
      for (const key of all) console.log(describeKey(key));
      return;
    }
    case 'revoke': {
      const [target] = rest;
      if (target === undefined) throw new UsageError('revoke needs a key id or prefix');
      const key = await keys.revoke(target);
      if (key === null) throw new UsageError(`No API key has the id or prefix ${target}`);
      console.log(`revoked ${describeKey(key)}`);
      return;
    }
    default:
      throw new UsageError(command === undefined ? 'No command given' : `Unknown command ${command}`);
  }
}

/** `npm run keys -- …`: create, list and revoke API keys on the configured database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config.database, { log: { info: () => {}, warn: (m) => console.error(m) } });
  try {
    await run(store.apiKeys, process.argv.slice(2));
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
