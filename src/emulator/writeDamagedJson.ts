import { resetResponse } from './resetResponse.js';
import type { WireResponse } from './wire.js';

/**
 * Writes a 200 JSON answer that does not arrive whole: `'truncate'` sends its first half with a `content-length` that
 * matches the half, so the transport ends cleanly and only a JSON parser notices; `'reset'` announces the whole length,
 * sends the first half and resets. Either way the model ran and Bedrock would have billed it.
 */
export async function writeDamagedJson(
  res: WireResponse,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  damage: 'reset' | 'truncate',
): Promise<void> {
  const whole = Buffer.from(JSON.stringify(body));
  const half = whole.subarray(0, Math.floor(whole.length / 2));
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(damage === 'truncate' ? half.length : whole.length),
  });
  if (damage === 'truncate') {
    res.end(half);
    return;
  }
  (res as { write(chunk: Uint8Array): boolean }).write(half);
  await resetResponse(res);
}
