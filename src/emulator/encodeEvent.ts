import { EventStreamCodec } from '@smithy/eventstream-codec';

import type { StreamEvent } from './operation.js';
import type { StreamErrorType } from './types.js';

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** The SDK's own codec, so prelude, header encoding and both CRC32s are byte for byte what the SDK decodes. */
const codec = new EventStreamCodec(
  (bytes: Uint8Array) => utf8Decoder.decode(bytes),
  (text: string) => utf8Encoder.encode(text),
);

/** Characters Bedrock draws its `p` padding from. */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Payloads are padded to a multiple of this many bytes. */
const PAD_TO = 32;

/** `application/json` payloads in an AWS event stream, as Bedrock sends them. */
const JSON_CONTENT_TYPE = { type: 'string', value: 'application/json' } as const;

/**
 * Frames one event. Bedrock adds a `p` member of filler letters to each event so that an event's length does not
 * reveal the length of the text in it; the emulator pads to a multiple of 32 bytes so that clients meet the member
 * (and must ignore it) while the bytes stay deterministic.
 */
export function encodeEvent(event: StreamEvent): Uint8Array {
  const bare = JSON.stringify(event.payload);
  // `,"p":""` adds 7 bytes before the letters, of which there are 1 to PAD_TO.
  const letters = PAD_TO - ((utf8Encoder.encode(bare).length + 7) % PAD_TO);
  const padding = PADDING.repeat(Math.ceil(letters / PADDING.length)).slice(0, letters);
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: event.eventType },
      ':content-type': JSON_CONTENT_TYPE,
      ':message-type': { type: 'string', value: 'event' },
    },
    body: utf8Encoder.encode(JSON.stringify({ ...event.payload, p: padding })),
  });
}

/** Frames an exception event, which makes the SDK's stream iterator throw the matching exception. */
export function encodeException(errorType: StreamErrorType, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: errorType },
      ':content-type': JSON_CONTENT_TYPE,
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: utf8Encoder.encode(JSON.stringify({ message })),
  });
}
