import { estimatedCostUsd, type ModelCatalog, type UnitPrices } from '../bedrock/index.js';
import { intakeImages, type AcceptedImage, type UrlFetchPolicy } from '../images/index.js';
import type { RequestImageRecord } from '../store/index.js';
import type { DescribeImageCommand } from './DescribeImageCommand.js';
import { estimateRequest } from './estimateRequest.js';
import { validateDescribeParameters } from './validateDescribeParameters.js';

/**
 * How far the real input may sit from the estimate and still be inside the previewed range.
 * The estimate is Anthropic's rule (ceil(w × h / 750) per image, 4 characters a text token);
 * Bedrock adds a few tokens of message framing and other providers tokenise images their own
 * way. The emulator counts exactly the estimate, so there the range always holds the cost;
 * usageSummary's estimateErrorPct shows how far real traffic sits from it.
 */
export const PREVIEW_INPUT_MARGIN = { low: 0.75, high: 1.25 } as const;

export interface CostPreview {
  readonly modelId: string;
  readonly serviceTier: 'DEFAULT' | 'PRIORITY' | 'FLEX';
  readonly images: RequestImageRecord[];
  readonly estimatedInputTokens: number;
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
}

export type PreviewCost = (command: DescribeImageCommand, signal?: AbortSignal) => Promise<CostPreview>;

function asImageRecord(image: AcceptedImage): RequestImageRecord {
  return {
    sha256: image.sha256,
    mediaType: image.mediaType,
    byteSize: image.byteSize,
    width: image.width,
    height: image.height,
    source: image.source,
    original: {
      mediaType: `image/${image.original.format}`,
      width: image.original.width,
      height: image.original.height,
      byteSize: image.original.byteSize,
    },
  };
}

/**
 * previewCost: the describeImage request checked and its images taken in exactly as
 * describeImage would (the same refusals), then priced. No model call, no ledger row, no
 * stored bytes, no budget reservation.
 */
export function createPreviewCost(deps: PreviewCostDeps): PreviewCost {
  const intake = deps.intakeImages ?? intakeImages;
  return async (command, signal) => {
    const parameters = validateDescribeParameters(command, deps.defaultModelId, deps.catalog);
    const { settings, model } = parameters;
    const images = await intake(parameters.sources, {
      mode: parameters.normalize,
      urlPolicy: deps.urlPolicy,
      maxUploadBytes: deps.maxUploadBytes,
      signal,
    });
    const estimate = estimateRequest(settings, images, model);
    const prices = estimate.unitPrices;
    const tokens = estimate.estimatedInputTokens;
    return {
      modelId: settings.modelId,
      serviceTier: settings.serviceTier ?? 'DEFAULT',
      images: images.map(asImageRecord),
      estimatedInputTokens: tokens,
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
