import { modelFamily } from '../bedrock/index.js';
import type { EstimateSample } from '../store/index.js';

/**
 * How the input-token estimate is calibrated from the ledger (the README's Cost truth section):
 * over the comparable rows among the newest `maxRows` of the last `windowDays` days (so the read
 * costs the same on any size of ledger), a family with at least `minRequests` comparable rows gets
 * Σ Bedrock's input tokens / Σ the rule's estimate, kept within [minFactor, maxFactor] so that a
 * few odd requests (or a ledger filled by hand) cannot make budgets reserve nothing or ten
 * times the cost; a family with fewer rows keeps the rule as it is (factor 1).
 */
export const ESTIMATE_CALIBRATION = Object.freeze({
  windowDays: 30,
  maxRows: 50_000,
  minRequests: 20,
  minFactor: 0.5,
  maxFactor: 2,
});

/** One family's factor and the evidence behind it. */
export interface FamilyCalibration {
  readonly factor: number;
  readonly requests: number;
}

/**
 * The factors by family (modelFamily), from each base model's sums. The factor is rounded to three
 * decimals: finer than any real tokeniser's spread, and it keeps the calibrated count an exact
 * integer computation (see calibratedTokens).
 *
 * Why it does not drift: the ledger's estimatedInputTokens holds the rule's estimate before
 * calibration, and so does every sum here. Were the column to hold the calibrated estimate, the
 * next refresh would compare Bedrock's count with estimates that already carry the factor, find
 * them right, and bring the factor back towards 1, to swing out again a window later.
 */
export function familyCalibrations(
  samples: readonly EstimateSample[],
  rules: typeof ESTIMATE_CALIBRATION = ESTIMATE_CALIBRATION,
): ReadonlyMap<string, FamilyCalibration> {
  const sums = new Map<string, { requests: number; actual: number; estimated: number }>();
  for (const sample of samples) {
    const family = modelFamily(sample.baseModelId);
    const sum = sums.get(family) ?? { requests: 0, actual: 0, estimated: 0 };
    sum.requests += sample.requests;
    sum.actual += sample.inputTokens;
    sum.estimated += sample.estimatedInputTokens;
    sums.set(family, sum);
  }
  const factors = new Map<string, FamilyCalibration>();
  for (const [family, sum] of sums) {
    if (sum.requests < rules.minRequests || sum.estimated <= 0) continue;
    const ratio = Math.min(rules.maxFactor, Math.max(rules.minFactor, sum.actual / sum.estimated));
    factors.set(family, { factor: Math.round(ratio * 1000) / 1000, requests: sum.requests });
  }
  return factors;
}

/**
 * The rule's estimate times the factor, rounded up (a reservation errs towards enough). In
 * thousandths, so that 100 × 1.3 is 130 and not 131 through a binary fraction.
 */
export function calibratedTokens(ruleTokens: number, factor: number): number {
  return Math.ceil((ruleTokens * Math.round(factor * 1000)) / 1000);
}

/** What the request path asks: a lookup in memory, never a query. */
export interface EstimateFactors {
  /** The calibration factor of the model's family now; 1 while the family has too few rows. */
  factorFor(modelId: string): number;
}

/** The rule as it is, for every family: no calibration (ESTIMATE_CALIBRATION_INTERVAL_MS=0, or a unit test). */
export const UNCALIBRATED: EstimateFactors = Object.freeze({ factorFor: () => 1 });

export interface EstimateCalibration extends EstimateFactors {
  /** Reads the ledger again and replaces the factors; returns them (by family). */
  refresh(): Promise<ReadonlyMap<string, FamilyCalibration>>;
}

/**
 * The factors in memory, replaced whole by each refresh. The caller schedules refresh (at start-up
 * and on a timer, see housekeeping's startCalibrationRefresh) so the request path only reads the map.
 */
export function createEstimateCalibration(
  readSamples: (windowDays: number, maxRows: number) => Promise<readonly EstimateSample[]>,
): EstimateCalibration {
  let factors: ReadonlyMap<string, FamilyCalibration> = new Map();
  return {
    factorFor: (modelId) => factors.get(modelFamily(modelId))?.factor ?? 1,
    async refresh() {
      const { windowDays, maxRows } = ESTIMATE_CALIBRATION;
      factors = familyCalibrations(await readSamples(windowDays, maxRows));
      return factors;
    },
  };
}
