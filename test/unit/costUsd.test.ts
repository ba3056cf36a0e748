import { describe, expect, it } from 'vitest';
import { costUsd, findModel, MODEL_CATALOG } from '../../src/bedrock/index.js';

const model = (id: string) => {
  const m = findModel(id);
  if (m === undefined) throw new Error(`${id} not in catalog`);
  return m;
};

describe('costUsd', () => {
  it('prices the seed response (1606 in, 130 out) on Claude 3 Sonnet exactly', () => {
    const usage = { inputTokens: 1606, outputTokens: 130, totalTokens: 1736 };
    // 1606 × 3 / 1e6 + 130 × 15 / 1e6 = 0.004818 + 0.00195
    expect(costUsd(usage, model('anthropic.claude-3-sonnet-20240229-v1:0'))).toBe('0.006768');
  });

  it('keeps sub-cent prices exact (Nova Lite, $0.06 / $0.24 per million)', () => {
    const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
    expect(costUsd(usage, model('amazon.nova-lite-v1:0'))).toBe('0.0000003');
  });

  it('is zero for zero tokens', () => {
    expect(costUsd({ inputTokens: 0, outputTokens: 0, totalTokens: 0 }, model('amazon.nova-pro-v1:0'))).toBe('0');
  });

  it('prices cross-region inference profiles as their base model', () => {
    expect(findModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0')?.id).toBe(
      'anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    expect(findModel('global.anthropic.claude-haiku-4-5-20251001-v1:0')?.outputUsdPerMillion).toBe('5');
    expect(findModel('example.unknown-v1:0')).toBeUndefined();
  });

  it('lists the prices the product promises', () => {
    const prices = Object.fromEntries(MODEL_CATALOG.map((m) => [m.id, [m.inputUsdPerMillion, m.outputUsdPerMillion]]));
    expect(prices).toMatchObject({
      'anthropic.claude-3-sonnet-20240229-v1:0': ['3', '15'],
      'anthropic.claude-3-haiku-20240307-v1:0': ['0.25', '1.25'],
      'anthropic.claude-3-5-sonnet-20241022-v2:0': ['3', '15'],
      'anthropic.claude-sonnet-4-20250514-v1:0': ['3', '15'],
      'anthropic.claude-sonnet-4-5-20250929-v1:0': ['3', '15'],
      'anthropic.claude-haiku-4-5-20251001-v1:0': ['1', '5'],
      'amazon.nova-lite-v1:0': ['0.06', '0.24'],
      'amazon.nova-pro-v1:0': ['0.8', '3.2'],
    });
  });
});
