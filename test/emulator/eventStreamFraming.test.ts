import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { Message } from '@smithy/eventstream-codec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { SONNET_3 } from './helpers.js';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => new TextDecoder().decode(bytes),
  (text: string) => new TextEncoder().encode(text),
);

/** Splits a whole event-stream body into messages by their length prelude and decodes each, checking both CRCs. */
function decodeAll(body: Uint8Array): Message[] {
  const messages: Message[] = [];
  for (let offset = 0; offset < body.length;) {
    const length = new DataView(body.buffer, body.byteOffset + offset, 4).getUint32(0, false);
    messages.push(codec.decode(body.subarray(offset, offset + length)));
    offset += length;
  }
  return messages;
}

function headerValues(message: Message): Record<string, unknown> {
  return Object.fromEntries(Object.entries(message.headers).map(([name, header]) => [name, header.value]));
}

describe('Emulator: event-stream framing', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ streamChunkDelayMs: 0 });
  });
  afterEach(() => emulator.clearFaults());
  afterAll(() => emulator.close());

  async function post(action: string, body: unknown) {
    const res = await fetch(`${emulator.url}/model/${encodeURIComponent(SONNET_3)}/${action}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    return { res, messages: decodeAll(new Uint8Array(await res.arrayBuffer())) };
  }

  it("frames ConverseStream events with Bedrock's headers and padded JSON payloads", async () => {
    const { res, messages } = await post('converse-stream', {
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headerValues(messages[0])).toEqual({
      ':event-type': 'messageStart',
      ':content-type': 'application/json',
      ':message-type': 'event',
    });
    for (const message of messages) {
      const payload = JSON.parse(new TextDecoder().decode(message.body)) as { p: string };
      // Bedrock pads every payload with filler letters so event sizes do not give the text away.
      expect(payload.p).toMatch(/^[a-zA-Z0-9]+$/);
      expect(message.body.length % 32).toBe(0);
    }
    expect(messages.map((m) => m.headers[':event-type'].value).at(-1)).toBe('metadata');
  });

  it('frames InvokeModelWithResponseStream chunks and a mid-stream exception', async () => {
    emulator.injectFault({ kind: 'mid-stream-error', afterChunks: 1, errorType: 'internalServerException' });

    const { res, messages } = await post('invoke-with-response-stream', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hello' }],
    });

    expect(res.headers.get('x-amzn-bedrock-content-type')).toBe('application/json');
    expect(messages.slice(0, -1).map((m) => m.headers[':event-type'].value)).toEqual(['chunk', 'chunk', 'chunk']);
    const last = messages.at(-1)!;
    expect(headerValues(last)).toEqual({
      ':exception-type': 'internalServerException',
      ':content-type': 'application/json',
      ':message-type': 'exception',
    });
    expect(JSON.parse(new TextDecoder().decode(last.body))).toEqual({
      message: 'The system encountered an unexpected error during processing. Try your request again.',
    });
  });
});
