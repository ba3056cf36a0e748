import { validationError } from './bedrockError.js';
import type { BedrockError } from './bedrockError.js';
import type { ImageInput } from './createImageInspector.js';
import type { DescribeInput } from './describeImages.js';
import type { ImageFormat } from './readImageHeader.js';
import { isRecord } from './isRecord.js';

/** Converse's default output budget when `inferenceConfig.maxTokens` is absent: Claude 3's maximum. */
export const CONVERSE_DEFAULT_MAX_TOKENS = 4096;

const imageFormats: readonly string[] = ['jpeg', 'png', 'gif', 'webp'];

/** Coral's wording for a member that breaks its constraint, which is what the real Converse answers. */
function invalid(path: string, value: unknown, constraint: string): BedrockError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return validationError(
    `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

function numberIn(value: unknown, path: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || value < min || value > max) {
    throw invalid(path, value, `Member must have value between ${min} and ${max}`);
  }
  return value;
}

/**
 * Checks a Converse request body and reduces it to the model's input. Unknown members are ignored, as the service
 * ignores them; content blocks other than text and image (documents, tools) are accepted and not described.
 */
export function parseConverseRequest(body: unknown): DescribeInput {
  if (!isRecord(body)) throw validationError('Malformed input request, please reformat your input and try again.');
  const { messages, system, inferenceConfig } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('messages', messages, 'Member must not be null and must contain at least 1 message');
  }
  const texts: string[] = [];
  const images: ImageInput[] = [];
  let prompt = '';
  if (system !== undefined) {
    if (!Array.isArray(system)) throw invalid('system', system, 'Member must be a list');
    system.forEach((block: unknown, i) => {
      if (isRecord(block) && typeof block.text === 'string') texts.push(block.text);
      else if (!isRecord(block)) throw invalid(`system.${i}`, block, 'Member must be a system content block');
    });
  }
  messages.forEach((message: unknown, m) => {
    if (!isRecord(message)) throw invalid(`messages.${m}`, message, 'Member must be a message');
    const { role, content } = message;
    if (role !== 'user' && role !== 'assistant') {
      throw invalid(`messages.${m}.role`, role, 'Member must satisfy enum value set: [user, assistant]');
    }
    if (m === 0 && role !== 'user') {
      throw validationError(
        'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
      );
    }
    if (!Array.isArray(content) || content.length === 0) {
      throw invalid(`messages.${m}.content`, content, 'Member must not be null and must contain at least 1 block');
    }
    const turnTexts: string[] = [];
    content.forEach((block: unknown, c) => {
      const path = `messages.${m}.content.${c}`;
      if (!isRecord(block)) throw invalid(path, block, 'Member must be a content block');
      if (typeof block.text === 'string') {
        texts.push(block.text);
        turnTexts.push(block.text);
      } else if (block.image !== undefined) {
        images.push(parseImageBlock(block.image, `${path}.image`));
      }
    });
    if (role === 'user') prompt = turnTexts.join(' ');
  });
  const config = inferenceConfig === undefined ? {} : inferenceConfig;
  if (!isRecord(config)) throw invalid('inferenceConfig', inferenceConfig, 'Member must be a structure');
  const maxTokens = config.maxTokens ?? CONVERSE_DEFAULT_MAX_TOKENS;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid('inferenceConfig.maxTokens', maxTokens, 'Member must have value greater than or equal to 1');
  }
  numberIn(config.temperature, 'inferenceConfig.temperature', 0, 1);
  numberIn(config.topP, 'inferenceConfig.topP', 0, 1);
  const stopSequences = config.stopSequences ?? [];
  if (!Array.isArray(stopSequences) || !stopSequences.every((s) => typeof s === 'string')) {
    throw invalid('inferenceConfig.stopSequences', stopSequences, 'Member must be a list of strings');
  }
  return { images, texts, prompt, maxTokens, stopSequences };
}

function parseImageBlock(image: unknown, path: string): ImageInput {
  if (!isRecord(image)) throw invalid(path, image, 'Member must be an image block');
  const { format, source } = image;
  if (typeof format !== 'string' || !imageFormats.includes(format)) {
    throw invalid(`${path}.format`, format, 'Member must satisfy enum value set: [gif, jpeg, png, webp]');
  }
  if (!isRecord(source) || typeof source.bytes !== 'string') {
    // S3 locations are real Converse input, but this emulator has no S3 to read them from: say so plainly.
    throw validationError(`${path}.source: the emulator accepts only inline image bytes.`);
  }
  return { declaredFormat: format as ImageFormat, base64: source.bytes, label: path };
}
