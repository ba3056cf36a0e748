import { readFile } from 'node:fs/promises';

import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import sharp from 'sharp';

/** The seed's model, retired by Bedrock in 2025 but still the emulator's everyday id. */
export const SONNET_3 = 'anthropic.claude-3-sonnet-20240229-v1:0';

/** A real SDK client pointed at the emulator, with throwaway credentials (the emulator does not check signatures). */
export function bedrockClient(url: string, config: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config,
  });
}

/** A one-colour image of any size and format, so expected colours and token counts follow from the arguments. */
export function solidImage(
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'gif' | 'webp',
  background = '#ff0000',
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer();
}

/** The 720×477 JPEG photograph in test/fixtures. */
export function photoBoard(): Promise<Buffer> {
  return readFile(new URL('../fixtures/photo-board.jpg', import.meta.url));
}

/** The emulator's rules, restated here so tests check the numbers rather than copy them from the emulator. */
export const rule = {
  imageTokens(width: number, height: number): number {
    const scale = Math.min(1, 1568 / Math.max(width, height));
    return Math.ceil((Math.round(width * scale) * Math.round(height * scale)) / 750);
  },
  textTokens(...texts: string[]): number {
    return Math.ceil(texts.join('').length / 4);
  },
};

/** Runs a call expected to fail and returns the SDK's error, failing the test if the call succeeds. */
export async function sdkError(
  call: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number; requestId?: string } };
  }
  throw new Error('Expected the call to fail, and it succeeded');
}

/**
 * Reads an SDK event stream to its end, keeping every event and, instead of throwing, the error that ended it, so a
 * test can assert on both what arrived and how the stream failed.
 */
export async function readStream<T>(
  stream: AsyncIterable<T> | undefined,
): Promise<{ events: T[]; error: (Error & Record<string, unknown>) | undefined }> {
  const events: T[] = [];
  try {
    for await (const event of stream ?? []) events.push(event);
  } catch (error) {
    return { events, error: error as Error & Record<string, unknown> };
  }
  return { events, error: undefined };
}

/** The name of an SDK stream event: its one member, e.g. `contentBlockDelta` or `chunk`. */
export function eventName(event: object): string {
  return Object.keys(event).filter((key) => key !== '$unknown')[0] ?? '$unknown';
}
