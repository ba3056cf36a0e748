import { estimatedCostUsd, type ModelCatalog, type UnitPrices } from '../bedrock/index.js';
import { intakeImages, type UrlFetchPolicy } from '../images/index.js';
import { requestImageRecord, type RequestImageRecord } from '../store/index.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';
import { UNCALIBRATED, type EstimateFactors } from './estimateCalibration.js';
import { estimateRequest } from './estimateRequest.js';
import { validateDescribeParameters } from './validateDescribeParameters.js';

/**
 * How far the real input may sit from the calibrated estimate and still be inside the previewed
 * range. The estimate is Anthropic's rule (ceil(w × h / 750) per image, 4 characters a text token)
 * times the model family's calibration factor; the factor corrects a family's bias, this margin is
 * for the spread of single requests around it. The emulator counts exactly the rule, so there the
 * range always holds the cost; usageSummary's estimate figures show how far real traffic sits from the rule.
 */
export const PREVIEW_INPUT_MARGIN = { low: 0.75, high: 1.25 } as const;

export interface CostPreview {
  readonly modelId: string;
  readonly serviceTier: 'DEFAULT' | 'PRIORITY' | 'FLEX';
  readonly images: RequestImageRecord[];
  /** The rule's estimate, before calibration (as the row will keep it). */
  readonly estimatedInputTokens: number;
  readonly calibrationFactor: number;
  /** The input the costs are priced at. */
  readonly calibratedInputTokens: number;
  readonly megapixels: number;
  readonly maxOutputTokens: number;
  readonly unitPrices: UnitPrices | null;
  readonly minCostUsd: string | null;
  readonly estimatedCostUsd: string | null;
  readonly maxCostUsd: string | null;
}

export interface PreviewCostDeps {
  readonly catalog: ModelCatalog;
  readonly defaultModelId: string;
  readonly urlPolicy: UrlFetchPolicy;
  readonly maxUploadBytes: number;
  /** Takes in the request's images: `intakeImages`, or the same wrapped for metrics and tracing. */
  readonly intakeImages?: typeof intakeImages;
  /** The calibration factors describeImage uses too (absent: the rule as it is). */
  readonly calibration?: EstimateFactors;
}

export type PreviewCost = (command: DescribeImageCommand, signal?: AbortSignal) => Promise<CostPreview>;

/**
 * previewCost: the describeImage request checked and its images taken in exactly as
 * describeImage would (the same refusals), then priced. No model call, no ledger row, no
 * stored bytes, no budget reservation.
 */
export function createPreviewCost(deps: PreviewCostDeps): PreviewCost {
  const intake = deps.intakeImages ?? intakeImages;
  const calibration = deps.calibration ?? UNCALIBRATED;
  return async (command, signal) => {
    const parameters = validateDescribeParameters(command, deps.defaultModelId, deps.catalog);
    const { settings, model } = parameters;
    const images = await intake(parameters.sources, {
      mode: parameters.normalize,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      signal,
    });
    const estimate = estimateRequest(settings, images, model, calibration.factorFor(settings.modelId));
    const prices = estimate.unitPrices;
    const tokens = estimate.calibratedInputTokens;
    return {
      modelId: settings.modelId,
      serviceTier: settings.serviceTier ?? 'DEFAULT',
      images: images.map(requestImageRecord),
      estimatedInputTokens: estimate.estimatedInputTokens,
      calibrationFactor: estimate.calibrationFactor,
      calibratedInputTokens: tokens,
      megapixels: estimate.imagePixels / 1e6,
      maxOutputTokens: settings.maxTokens,
      unitPrices: prices,
      minCostUsd: prices === null ? null : estimatedCostUsd(Math.floor(tokens * PREVIEW_INPUT_MARGIN.low), 0, prices),
      estimatedCostUsd: estimate.estimatedCostUsd,
      maxCostUsd:
        prices === null
          ? null
          : estimatedCostUsd(Math.ceil(tokens * PREVIEW_INPUT_MARGIN.high), settings.maxTokens, prices),
    };
  };
}
