import {
  estimatedCostUsd,
  unitPricesFor,
  type CatalogModel,
  type InferenceSettings,
  type UnitPrices,
} from '../bedrock/index.js';
import { estimateImageTokens } from '../images/index.js';
import { calibratedTokens } from './estimateCalibration.js';

/** What is known of a request's cost before the call. */
export interface RequestEstimate {
  /**
   * The rule: images at ceil(w × h / 750) each (as sent) plus the prompt and system prompt at 4
   * characters a token. The ledger keeps this one (estimatedInputTokens), uncalibrated, so that
   * calibration keeps learning from the rule itself (see familyCalibrations).
   */
  readonly estimatedInputTokens: number;
  /** The factor of the model's family when the estimate was made (1: not calibrated). */
  readonly calibrationFactor: number;
  /** estimatedInputTokens × calibrationFactor, rounded up: the input the cost is priced at. */
  readonly calibratedInputTokens: number;
  /** Sum of width × height of the images as sent. */
  readonly imagePixels: number;
  /** The catalog's prices for the id called in the request's tier; null for a model outside the catalog. */
  readonly unitPrices: UnitPrices | null;
  /** The calibrated input plus maxTokens of output at those prices: the most the call should cost. */
  readonly estimatedCostUsd: string | null;
}

/**
 * The estimate budgets reserve (estimatedCostUsd), previewCost reports and the ledger keeps beside
 * the actual tokens. `calibrationFactor` is the model family's factor, read from memory.
 */
export function estimateRequest(
  settings: InferenceSettings,
  images: readonly { readonly width: number; readonly height: number }[],
  model: CatalogModel | undefined,
  calibrationFactor = 1,
): RequestEstimate {
  const textTokens = Math.ceil((settings.prompt.length + (settings.system?.length ?? 0)) / 4);
  const estimatedInputTokens = images.reduce((sum, i) => sum + estimateImageTokens(i.width, i.height), textTokens);
  const calibratedInputTokens = calibratedTokens(estimatedInputTokens, calibrationFactor);
  const imagePixels = images.reduce((sum, i) => sum + i.width * i.height, 0);
  // The tier was checked against the catalog before, so a known model always has its prices.
  const unitPrices = model === undefined ? null : (unitPricesFor(model, settings.serviceTier ?? 'DEFAULT') ?? null);
  return {
    estimatedInputTokens,
    calibrationFactor,
    calibratedInputTokens,
    imagePixels,
    unitPrices,
    estimatedCostUsd:
      unitPrices === null ? null : estimatedCostUsd(calibratedInputTokens, settings.maxTokens, unitPrices),
  };
}
