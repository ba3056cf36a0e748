import {
  baseModelId,
  type CatalogModel,
  type InferenceSettings,
  type ModelCatalog,
  unsupportedSamplingMessage,
} from '../bedrock/index.js';
import { badInput } from '../errors.js';
import type { ImageSource, NormalizeMode } from '../images/index.js';
import { checkText, type TextRule } from '../text/index.js';
import { checkTierAndTags } from './checkTierAndTags.js';
import { DEFAULT_MAX_TOKENS, DEFAULT_PROMPT, type DescribeImageCommand } from './DescribeImageCommand.js';

/** A request checked against its model, with defaults applied; the images are still to be taken in. */
export interface DescribeParameters {
  readonly settings: InferenceSettings;
  /** The catalog's entry, when the model is known. */
  readonly model: CatalogModel | undefined;
  readonly sources: readonly ImageSource[];
  readonly clientRequestId: string | undefined;
  readonly normalize: NormalizeMode;
}

/** Long enough for any real instruction, short enough that a typo cannot post megabytes of text. */
export const MAX_PROMPT_CHARS = 50_000;
/** Three bytes a character: every script's text fits at full length; only emoji-heavy text meets it first. */
export const MAX_PROMPT_BYTES = 150_000;
const MAX_CLIENT_REQUEST_ID = 128;
const promptRule = (field: string, reason: TextRule['reason']): TextRule => ({
  field,
  reason,
  maxChars: MAX_PROMPT_CHARS,
  maxBytes: MAX_PROMPT_BYTES,
  multiline: true,
});
const CLIENT_REQUEST_ID_RULE: TextRule = {
  field: 'clientRequestId',
  reason: 'CLIENT_REQUEST_ID_INVALID',
  maxChars: MAX_CLIENT_REQUEST_ID,
  maxBytes: 4 * MAX_CLIENT_REQUEST_ID,
  multiline: false,
};
/** For models outside the catalog Bedrock decides; these only stop absurd values early. */
const UNKNOWN_MODEL = { maxOutputTokens: 128_000, maxStopSequences: 10, temperatureMax: 1, maxImages: 20 };
const MAX_STOP_SEQUENCE_CHARS = 100;
// Bedrock model ids, inference profile ids and ARNs: no spaces, no control characters.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,2047}$/;

/**
 * Checks the request's parameters against the model before anything is spent: every
 * refusal is a BAD_USER_INPUT with a stable reason.
 */
export function validateDescribeParameters(
  command: DescribeImageCommand,
  defaultModelId: string,
  catalog: ModelCatalog,
): DescribeParameters {
  if (command.image !== undefined && command.images !== undefined) {
    throw badInput('IMAGE_SOURCE_INVALID', 'Give either image or images, not both');
  }
  const sources = command.image !== undefined ? [command.image] : (command.images ?? []);

  const prompt = checkText(command.prompt ?? DEFAULT_PROMPT, promptRule('prompt', 'PROMPT_INVALID'));
  if (prompt.trim() === '') {
    throw badInput('PROMPT_INVALID', `The prompt must be 1 to ${MAX_PROMPT_CHARS} characters and not blank`);
  }
  const system =
    command.system === undefined ? undefined : checkText(command.system, promptRule('system', 'SYSTEM_INVALID'));
  if (system !== undefined && system.trim() === '') {
    throw badInput('SYSTEM_INVALID', `The system prompt must be 1 to ${MAX_PROMPT_CHARS} characters and not blank`);
  }

  const modelId = command.modelId ?? defaultModelId;
  if (!MODEL_ID.test(modelId)) throw badInput('MODEL_ID_INVALID', 'modelId is not a Bedrock model id');
  const model = catalog.find(modelId);
  const limits = model ?? UNKNOWN_MODEL;

  const api = command.api ?? 'CONVERSE';
  const anthropic = model?.anthropicMessagesBody ?? baseModelId(modelId).startsWith('anthropic.');
  if (api === 'INVOKE_MODEL' && !anthropic) {
    throw badInput(
      'API_UNSUPPORTED_FOR_MODEL',
      `INVOKE_MODEL sends the Anthropic Messages body, which ${modelId} does not take; use CONVERSE`,
    );
  }
  if (sources.length > limits.maxImages && sources.length <= 20) {
    throw badInput('TOO_MANY_IMAGES', `${modelId} takes at most ${limits.maxImages} image(s) per request`);
  }
  const maxTokens = command.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > limits.maxOutputTokens) {
    throw badInput('MAX_TOKENS_INVALID', `maxTokens must be between 1 and ${limits.maxOutputTokens} for ${modelId}`);
  }
  const { temperature } = command;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= limits.temperatureMax)) {
    throw badInput('TEMPERATURE_INVALID', `temperature must be between 0 and ${limits.temperatureMax} for ${modelId}`);
  }
  const { topP } = command;
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) {
    throw badInput('TOP_P_INVALID', 'topP must be between 0 and 1');
  }
  const samplingRefusal = model && unsupportedSamplingMessage(model, modelId, { temperature, topP });
  if (samplingRefusal) throw badInput('PARAMETER_UNSUPPORTED', samplingRefusal);
  const stopSequences = (command.stopSequences ?? []).map((s) =>
    checkText(s, promptRule('stopSequences', 'STOP_SEQUENCES_INVALID')),
  );
  if (
    stopSequences.length > limits.maxStopSequences ||
    stopSequences.some((s) => s === '' || s.length > MAX_STOP_SEQUENCE_CHARS)
  ) {
    throw badInput(
      'STOP_SEQUENCES_INVALID',
      `${modelId} takes at most ${limits.maxStopSequences} stop sequences of 1 to ${MAX_STOP_SEQUENCE_CHARS} characters`,
    );
  }
  const { serviceTier, tags } = checkTierAndTags(command, model, modelId);
  const clientRequestId =
    command.clientRequestId === undefined ? undefined : checkText(command.clientRequestId, CLIENT_REQUEST_ID_RULE);
  if (clientRequestId !== undefined && clientRequestId.trim() === '') {
    throw badInput('CLIENT_REQUEST_ID_INVALID', `clientRequestId must be 1 to ${MAX_CLIENT_REQUEST_ID} characters`);
  }
  return {
    settings: {
      modelId,
      api,
      prompt,
      system,
      maxTokens,
      temperature,
      topP,
      stopSequences,
      ...(serviceTier === undefined ? {} : { serviceTier }),
      ...(tags === undefined ? {} : { tags }),
    },
    model,
    sources,
    clientRequestId,
    normalize: command.normalize ?? 'AUTO',
  };
}
