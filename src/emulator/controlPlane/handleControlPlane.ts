import { randomUUID } from 'node:crypto';

import { BedrockError } from '../bedrockError.js';
import { readBody, writeError, writeJson } from '../wire.js';
import type { WireRequest, WireResponse } from '../wire.js';
import { answerGetProducts } from './answerGetProducts.js';
import { answerListFoundationModels } from './answerListFoundationModels.js';
import { answerListInferenceProfiles } from './answerListInferenceProfiles.js';
import { PricingError } from './PricingError.js';

const PRICING_TARGET = 'AWSPriceListService.';

/**
 * Whether a request is for the control-plane APIs served from fixtures: Bedrock's `ListFoundationModels` and
 * `ListInferenceProfiles` (REST JSON, `GET /foundation-models`, `GET /inference-profiles`) or the Price List
 * API (JSON 1.1, `POST /` with `x-amz-target: AWSPriceListService.*`). None of these collide with the runtime's
 * `/model/...` paths, so one emulator port serves all three SDK clients.
 */
export function isControlPlaneRequest(req: WireRequest, path: string): boolean {
  if (req.method === 'GET' && (path === '/foundation-models' || path === '/inference-profiles')) return true;
  const target = req.headers['x-amz-target'];
  return req.method === 'POST' && path === '/' && typeof target === 'string' && target.startsWith(PRICING_TARGET);
}

/** Answers a control-plane request; errors are written in each protocol's own shape. */
export async function handleControlPlane(req: WireRequest, res: WireResponse, path: string): Promise<void> {
  const requestId = randomUUID();
  const body = (await readBody(req)).toString('utf8');
  if (req.method === 'GET') {
    const query = new URL(req.url ?? '/', 'http://emulator').searchParams;
    try {
      const answer =
        path === '/foundation-models' ? answerListFoundationModels(query) : answerListInferenceProfiles(query);
      writeJson(res, 200, answer, { 'x-amzn-requestid': requestId });
    } catch (error) {
      if (!(error instanceof BedrockError)) throw error;
      writeError(res, requestId, error);
    }
    return;
  }
  const jsonHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId };
  try {
    const target = String(req.headers['x-amz-target']).slice(PRICING_TARGET.length);
    if (target !== 'GetProducts') {
      throw new PricingError(
        'UnknownOperationException',
        `The emulator's Price List API serves GetProducts only, not ${target}.`,
      );
    }
    let request: unknown;
    try {
      request = JSON.parse(body === '' ? '{}' : body) as unknown;
    } catch {
      throw new PricingError('InvalidParameterException', 'The request body is not valid JSON.');
    }
    writeJson(res, 200, answerGetProducts(request), jsonHeaders);
  } catch (error) {
    if (!(error instanceof PricingError)) throw error;
    writeJson(res, 400, { __type: error.errorType, Message: error.message }, jsonHeaders);
  }
}
