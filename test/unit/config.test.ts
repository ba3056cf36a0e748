import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MODEL_ID, loadConfig, DEFAULT_POSTGRES_POOL } from '../../src/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database in ./data/pglite, port 4000 and Claude 3 Sonnet', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/app/data/pglite' });
    expect(config.bedrock.defaultModelId).toBe(DEFAULT_MODEL_ID);
    expect(DEFAULT_MODEL_ID).toBe('anthropic.claude-3-sonnet-20240229-v1:0');
    expect(config.bedrock.region).toBe('us-east-1');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every DATABASE_URL form', () => {
    const db = (url: string) => loadConfig({ DATABASE_URL: url }, '/srv/app').database;
    expect(db('memory:')).toEqual({ kind: 'pglite-memory' });
    expect(db('file:./ledger')).toEqual({ kind: 'pglite', dataDir: '/srv/app/ledger' });
    expect(db('file:///var/lib/ledger')).toEqual({ kind: 'pglite', dataDir: '/var/lib/ledger' });
    expect(db('postgres://u@h:5432/d')).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/d',
      ...DEFAULT_POSTGRES_POOL,
    });
    expect(db('postgresql://u@h/d')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/d', ...DEFAULT_POSTGRES_POOL });
  });

  it('takes the Bedrock endpoint and region the way the AWS SDK names them', () => {
    const config = loadConfig({
      AWS_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:4010',
    });
    expect(config.bedrock.region).toBe('eu-central-1');
    expect(config.bedrock.endpoint).toBe('http://127.0.0.1:4010');
  });

  it('refuses values that cannot work, at start-up', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ BEDROCK_MAX_ATTEMPTS: '0' })).toThrow(ConfigError);
  });
});
