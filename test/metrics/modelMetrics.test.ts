import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_CATALOG,
  type VisionModel,
  type VisionRequest,
  type VisionResult,
} from '../../src/bedrock/index.js';
import { DEFAULT_MODEL_ID } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { createTelemetry, instrumentVisionModel } from '../../src/telemetry/index.js';
import { parsePrometheus, sampleValue } from './prometheusText.js';

const RESULT: VisionResult = {
  text: 'A red square.',
  stopReason: 'end_turn',
  usage: { inputTokens: 10, outputTokens: 4, totalTokens: 14 },
  modelLatencyMs: 5,
  requestId: 'req-1',
};

/** A model that answers (or fails) at once: the decorator is what is under test. */
function fakeModel(fail?: AppError): VisionModel {
  return {
    provider: 'EMULATOR',
    async describe() {
      if (fail !== undefined) throw fail;
      return RESULT;
    },
    async *describeStream() {
      yield { type: 'delta', text: 'A red ' };
      yield { type: 'delta', text: 'square.' };
      if (fail !== undefined) throw fail;
      yield { type: 'done', result: RESULT };
    },
  };
}

const request = { modelId: DEFAULT_MODEL_ID, api: 'CONVERSE' } as unknown as VisionRequest;

describe('Metrics: Bedrock calls by outcome', () => {
  function instrumented(fail?: AppError) {
    const { metrics } = createTelemetry({ kind: 'off' });
    const model = instrumentVisionModel(fakeModel(fail), {
      metrics,
      catalog: DEFAULT_MODEL_CATALOG,
      tracing: undefined,
    });
    const outcome = async (name: string) =>
      sampleValue(parsePrometheus(await metrics.render()), 'bvg_bedrock_call_duration_seconds_count', {
        model: DEFAULT_MODEL_ID,
        api: 'CONVERSE',
        outcome: name,
      });
    return { model, outcome };
  }

  it('counts an answered call as ok and a failed one by its code, passing both through', async () => {
    const ok = instrumented();
    expect(await ok.model.describe(request)).toBe(RESULT);
    expect(await ok.outcome('ok')).toBe(1);
    const failing = instrumented(new AppError('UPSTREAM_TIMEOUT', 'slow'));
    await expect(failing.model.describe(request)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(await failing.outcome('UPSTREAM_TIMEOUT')).toBe(1);
    expect(ok.model.provider).toBe('EMULATOR');
  });

  it('counts a stream when it ends: ok after its last event, CANCELLED when the reader stops early', async () => {
    const whole = instrumented();
    const events = [];
    for await (const event of whole.model.describeStream(request)) events.push(event.type);
    expect(events).toEqual(['delta', 'delta', 'done']);
    expect(await whole.outcome('ok')).toBe(1);

    const abandoned = instrumented();
    for await (const event of abandoned.model.describeStream(request)) {
      if (event.type === 'delta') break;
    }
    expect(await abandoned.outcome('CANCELLED')).toBe(1);
    expect(await abandoned.outcome('ok')).toBeUndefined();

    const broken = instrumented(new AppError('UPSTREAM_ERROR', 'stream broke'));
    const read = async () => {
      const types = [];
      for await (const event of broken.model.describeStream(request)) types.push(event.type);
      return types;
    };
    await expect(read()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(await broken.outcome('UPSTREAM_ERROR')).toBe(1);
  });
});
