import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CATALOG, modelFamily } from '../../src/bedrock/index.js';
import { calibratedTokens } from '../../src/describe/estimateCalibration.js';

describe('Model families for the estimate calibration', () => {
  it('puts every built-in model in one of the documented families', () => {
    const families = new Set(DEFAULT_MODEL_CATALOG.models.map((m) => modelFamily(m.id)));
    expect([...families].sort()).toEqual(['amazon.nova', 'anthropic.claude', 'meta.llama', 'mistral.pixtral']);
  });

  it('reads an inference profile or an ARN as its base model, and keeps an opaque ARN as its own family', () => {
    expect(modelFamily('global.anthropic.claude-sonnet-4-6')).toBe('anthropic.claude');
    expect(modelFamily('us.meta.llama3-2-11b-instruct-v1:0')).toBe('meta.llama');
    expect(modelFamily('arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-2-lite-v1:0')).toBe('amazon.nova');
    const opaque = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    expect(modelFamily(opaque)).toBe(opaque);
  });

  it('rounds the calibrated count up, exactly, whatever the binary fraction of the factor', () => {
    expect(calibratedTokens(100, 1.3)).toBe(130);
    expect(calibratedTokens(1_000, 1.1)).toBe(1_100);
    expect(calibratedTokens(101, 1.3)).toBe(132);
    expect(calibratedTokens(7, 0.5)).toBe(4);
    expect(calibratedTokens(326, 1)).toBe(326);
  });
});
