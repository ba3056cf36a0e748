import { validationError } from './bedrockError.js';
import { colourHex, colourName } from './colourName.js';
import type { ImageFacts, ImageInput, ImageInspector } from './createImageInspector.js';
import { imageTokens, textTokens, truncateToTokens } from './tokens.js';

/** What both wire formats boil down to: the model's whole input, independent of Converse or InvokeModel. */
export interface DescribeInput {
  images: readonly ImageInput[];
  /** Every text the model reads (system prompt and all message texts); all of it costs input tokens. */
  texts: readonly string[];
  /** The text of the last user turn, echoed back so a client can see which prompt was answered. */
  prompt: string;
  maxTokens: number;
  stopSequences: readonly string[];
}

/** The model's answer in wire-neutral terms; each operation renders it in its own vocabulary. */
export interface ModelAnswer {
  text: string;
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence';
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** Bedrock's limit on images per request. */
export const MAX_IMAGES = 20;

/**
 * Answers deterministically and honestly: one sentence per image naming facts computed from its pixels (size,
 * format, dominant colour), then the prompt echoed. Same input, same text and usage, so tests can assert exact
 * numbers; and nothing is invented, so a developer is never misled about what was sent.
 */
export async function describeImages(
  input: DescribeInput,
  images: ImageInspector,
  rewriteText: (text: string) => string = (text) => text,
): Promise<ModelAnswer> {
  if (input.images.length > MAX_IMAGES) {
    throw validationError(`Too many images: ${input.images.length} images were sent, the maximum is ${MAX_IMAGES}.`);
  }
  const facts: ImageFacts[] = [];
  // One at a time, so an error names the first bad image in request order, whichever image would decode first.
  for (const image of input.images) facts.push(await images.inspect(image));
  const sentences = facts.map(describeOne);
  if (facts.length === 0) sentences.push('There is no image in this request.');
  if (input.prompt.trim() !== '') sentences.push(`You asked: "${input.prompt.trim()}".`);
  let text = rewriteText(sentences.join(' '));

  let stopReason: ModelAnswer['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  const stop = earliestStop(text, input.stopSequences);
  if (stop) {
    text = text.slice(0, stop.index);
    stopReason = 'stop_sequence';
    stopSequence = stop.sequence;
  }
  if (textTokens([text]) > input.maxTokens) {
    text = truncateToTokens(text, input.maxTokens);
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  const inputTokens =
    facts.reduce((sum, image) => sum + imageTokens(image.width, image.height), 0) + textTokens(input.texts);
  return { text, stopReason, stopSequence, inputTokens, outputTokens: textTokens([text]) };
}

function describeOne(image: ImageFacts, index: number): string {
  const size = `${image.width}×${image.height} ${image.format.toUpperCase()} image`;
  const colour = `${colourHex(image.colour)} (${colourName(image.colour)})`;
  return image.solid
    ? `Image ${index + 1} is a ${size} filled with the single colour ${colour}.`
    : `Image ${index + 1} is a ${size} whose dominant colour is ${colour}.`;
}

function earliestStop(text: string, sequences: readonly string[]): { index: number; sequence: string } | undefined {
  let best: { index: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const index = sequence === '' ? -1 : text.indexOf(sequence);
    if (index >= 0 && (best === undefined || index < best.index)) best = { index, sequence };
  }
  return best;
}
