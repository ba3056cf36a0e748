import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_CATALOG,
  costUsd,
  estimatedCostUsd,
  sumUsd,
  type CatalogModel,
} from '../../src/bedrock/index.js';

const model = (id: string): CatalogModel => {
  const found = DEFAULT_MODEL_CATALOG.find(id);
  if (found === undefined) throw new Error(`${id} is not in the catalog`);
  return found;
};

/** Through the global profile, at Claude Sonnet 4.5's list prices ($3 / $15, cache $0.30 / $3.75). */
const SONNET_45 = model('global.anthropic.claude-sonnet-4-5-20250929-v1:0');

describe('costUsd with the prompt cache', () => {
  it('adds cache reads and writes at their own prices, exactly', () => {
    // 1000 × 3 + 200 × 15 + 5000 × 0.3 + 2000 × 3.75 = 3000 + 3000 + 1500 + 7500 = 15000 per million
    const usage = {
      inputTokens: 1000,
      outputTokens: 200,
      totalTokens: 8200,
      cacheReadInputTokens: 5000,
      cacheWriteInputTokens: 2000,
    };
    expect(costUsd(usage, SONNET_45)).toBe('0.015');
    // In-region and through a geographic profile every price is 10 % higher.
    expect(costUsd(usage, model('us.anthropic.claude-sonnet-4-5-20250929-v1:0'))).toBe('0.0165');
  });

  it('keeps sub-cent cache prices exact (Nova Lite reads at $0.015 per million)', () => {
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 1, cacheReadInputTokens: 1 };
    expect(costUsd(usage, model('amazon.nova-lite-v1:0'))).toBe('0.000000015');
  });

  it('is the plain cost when no cache tokens are reported', () => {
    const usage = { inputTokens: 1606, outputTokens: 130, totalTokens: 1736 };
    expect(costUsd(usage, model('anthropic.claude-3-sonnet-20240229-v1:0'))).toBe('0.006768');
    expect(costUsd({ ...usage, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, SONNET_45)).toBe('0.006768');
  });

  it('prices cache tokens as input on a model without cache prices', () => {
    const usage = {
      inputTokens: 1,
      outputTokens: 0,
      totalTokens: 3,
      cacheReadInputTokens: 1,
      cacheWriteInputTokens: 1,
    };
    expect(costUsd(usage, model('anthropic.claude-3-haiku-20240307-v1:0'))).toBe('0.00000075');
  });

  it('adds a million rows without drift', () => {
    const one = costUsd({ inputTokens: 7, outputTokens: 3, totalTokens: 10 }, model('amazon.nova-lite-v1:0'));
    const million = costUsd(
      { inputTokens: 7_000_000, outputTokens: 3_000_000, totalTokens: 10_000_000 },
      model('amazon.nova-lite-v1:0'),
    );
    expect(one).toBe('0.00000114');
    expect(million).toBe('1.14');
  });

  it('refuses a token count that is not a non-negative integer', () => {
    expect(() => costUsd({ inputTokens: -1, outputTokens: 0, totalTokens: 0 }, SONNET_45)).toThrow(RangeError);
    expect(() => costUsd({ inputTokens: 1.5, outputTokens: 0, totalTokens: 0 }, SONNET_45)).toThrow(RangeError);
  });
});

describe('estimatedCostUsd', () => {
  it('is the upper bound: estimated input plus every allowed output token', () => {
    // 1606 × 3 + 1000 × 15 = 19818 per million
    expect(estimatedCostUsd(1606, 1000, model('anthropic.claude-3-sonnet-20240229-v1:0'))).toBe('0.019818');
    // 2000 × 0.06 + 1000 × 0.24 = 360 per million
    expect(estimatedCostUsd(2000, 1000, model('amazon.nova-lite-v1:0'))).toBe('0.00036');
  });

  it('is never below the real cost of a call that stays within maxTokens', () => {
    const usage = { inputTokens: 1606, outputTokens: 130, totalTokens: 1736 };
    const real = Number(costUsd(usage, SONNET_45));
    expect(Number(estimatedCostUsd(1606, 1000, SONNET_45))).toBeGreaterThanOrEqual(real);
  });

  it('is zero for nothing in and nothing out', () => {
    expect(estimatedCostUsd(0, 0, SONNET_45)).toBe('0');
  });
});

describe('sumUsd', () => {
  it('adds decimals of any scale exactly (floating point would give 0.30000000000000004)', () => {
    expect(sumUsd(['0.1', '0.2'])).toBe('0.3');
    expect(sumUsd(['0.000441', '1', '0.00000000000001'])).toBe('1.00044100000001');
    expect(sumUsd([])).toBe('0');
  });
});
