import { validationError } from './bedrockError.js';
import type { BedrockError } from './bedrockError.js';
import type { ImageInput } from './createImageInspector.js';
import type { DescribeInput } from './describeImages.js';
import type { ImageFormat } from './readImageHeader.js';
import { isRecord } from './isRecord.js';

/** The only Messages API version Bedrock accepts in an InvokeModel body. */
export const ANTHROPIC_BEDROCK_VERSION = 'bedrock-2023-05-31';

/** Keys Bedrock's schema for Anthropic bodies permits; anything else is an "extraneous key" there too. */
const allowedKeys: readonly string[] = [
  'anthropic_version',
  'anthropic_beta',
  'max_tokens',
  'messages',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
];

const mediaTypes: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/** Bedrock checks InvokeModel bodies against a JSON schema and words failures like this. */
function malformed(detail: string): BedrockError {
  return validationError(`Malformed input request: ${detail}, please reformat your input and try again.`);
}

function typeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
  if (typeof value === 'object') return 'JSONObject';
  return typeof value === 'string' ? 'String' : 'Boolean';
}

function checkRange(body: Record<string, unknown>, key: string, min: number, max: number): void {
  const value = body[key];
  if (value === undefined) return;
  if (typeof value !== 'number') throw malformed(`#/${key}: expected type: Number, found: ${typeName(value)}`);
  if (value < min || value > max) throw malformed(`#/${key}: ${value} is not between ${min} and ${max}`);
}

/**
 * Checks an Anthropic Messages body (the seed's `invoke_model` body) as Bedrock does and reduces it to the model's
 * input. Content may be a string or a list of blocks; blocks other than text and image are accepted, not described.
 */
export function parseInvokeModelBody(body: unknown): DescribeInput {
  if (!isRecord(body)) throw malformed(`#: expected type: JSONObject, found: ${typeName(body)}`);
  for (const key of ['anthropic_version', 'max_tokens', 'messages']) {
    if (body[key] === undefined) throw malformed(`#: required key [${key}] not found`);
  }
  const extraneous = Object.keys(body).find((key) => !allowedKeys.includes(key));
  if (extraneous !== undefined) throw malformed(`#: extraneous key [${extraneous}] is not permitted`);
  if (body.anthropic_version !== ANTHROPIC_BEDROCK_VERSION) {
    throw malformed(`#/anthropic_version: ${String(body.anthropic_version)} is not a valid enum value`);
  }
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) {
    throw malformed(`#/max_tokens: expected type: Integer, found: ${typeName(maxTokens)}`);
  }
  if (maxTokens < 1) throw malformed(`#/max_tokens: ${maxTokens} is not greater or equal to 1`);
  checkRange(body, 'temperature', 0, 1);
  checkRange(body, 'top_p', 0, 1);
  const stopSequences = body.stop_sequences ?? [];
  if (!Array.isArray(stopSequences) || !stopSequences.every((s) => typeof s === 'string')) {
    throw malformed(`#/stop_sequences: expected type: JSONArray of String`);
  }
  const texts: string[] = [];
  const { system, messages } = body;
  if (typeof system === 'string') texts.push(system);
  else if (Array.isArray(system)) {
    for (const block of system) if (isRecord(block) && typeof block.text === 'string') texts.push(block.text);
  } else if (system !== undefined) throw malformed(`#/system: expected type: String, found: ${typeName(system)}`);

  if (!Array.isArray(messages)) throw malformed(`#/messages: expected type: JSONArray, found: ${typeName(messages)}`);
  if (messages.length === 0) throw malformed('#/messages: expected minimum item count: 1, found: 0');
  const images: ImageInput[] = [];
  let prompt = '';
  messages.forEach((message: unknown, m) => {
    if (!isRecord(message)) throw malformed(`#/messages/${m}: expected type: JSONObject, found: ${typeName(message)}`);
    const { role, content } = message;
    if (role !== 'user' && role !== 'assistant')
      throw malformed(`#/messages/${m}/role: ${String(role)} is not a valid enum value`);
    if (m === 0 && role !== 'user') throw validationError('messages: first message must use the "user" role');
    const turnTexts: string[] = [];
    const blocks: unknown[] =
      typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];
    if (blocks.length === 0) throw validationError(`messages.${m}: all messages must have non-empty content`);
    blocks.forEach((block, c) => {
      if (!isRecord(block))
        throw malformed(`#/messages/${m}/content/${c}: expected type: JSONObject, found: ${typeName(block)}`);
      if (block.type === 'text') {
        if (typeof block.text !== 'string') throw validationError(`messages.${m}.content.${c}.text: Field required`);
        texts.push(block.text);
        turnTexts.push(block.text);
      } else if (block.type === 'image') {
        images.push(parseImageSource(block.source, `messages.${m}.content.${c}.image`));
      }
    });
    if (role === 'user') prompt = turnTexts.join(' ');
  });
  return { images, texts, prompt, maxTokens, stopSequences };
}

/** Anthropic's own wording for bad image sources, which Bedrock passes through. */
function parseImageSource(source: unknown, label: string): ImageInput {
  if (!isRecord(source) || source.type !== 'base64') {
    throw validationError(`${label}.source: the emulator accepts only base64 image sources.`);
  }
  const { media_type: mediaType, data } = source;
  if (typeof mediaType !== 'string' || !mediaTypes.includes(mediaType)) {
    throw validationError(
      `${label}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`,
    );
  }
  if (typeof data !== 'string') throw validationError(`${label}.source.base64.data: Field required`);
  return { declaredFormat: mediaType.slice('image/'.length) as ImageFormat, base64: data, label };
}
