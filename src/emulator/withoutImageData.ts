import { isRecord } from './isRecord.js';

/**
 * A copy of a request body with each image's base64 data replaced by a note of its length: Converse's
 * `image.source.bytes` and Anthropic's `source.data`. A soak sends the same megabytes thousands of times; a record
 * of what was asked should not keep them all. The body passed in is not changed.
 */
export function withoutImageData(body: unknown): unknown {
  if (!isRecord(body) || !Array.isArray(body.messages)) return body;
  return {
    ...body,
    messages: body.messages.map((message: unknown) =>
      isRecord(message) && Array.isArray(message.content)
        ? { ...message, content: message.content.map(withoutBlockData) }
        : message,
    ),
  };
}

function withoutBlockData(block: unknown): unknown {
  if (!isRecord(block)) return block;
  const { image, source } = block;
  if (isRecord(image) && isRecord(image.source) && typeof image.source.bytes === 'string') {
    return { ...block, image: { ...image, source: { ...image.source, bytes: omitted(image.source.bytes) } } };
  }
  if (block.type === 'image' && isRecord(source) && typeof source.data === 'string') {
    return { ...block, source: { ...source, data: omitted(source.data) } };
  }
  return block;
}

function omitted(base64: string): string {
  return `<${base64.length} characters of base64 image data, not recorded>`;
}
