import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intakeImages } from '../../src/images/index.js';
import { loadConfig } from '../../src/config.js';
import { noise } from './normalize/fixtures.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('intakeImages', () => {
  const options = { mode: 'NONE' as const, urlPolicy: loadConfig({}).images.url, maxUploadBytes: 1 };

  it('names small and large images by the sha256 of the bytes sent, hashed in line or off the event loop', async () => {
    const small = await noise(40, 30).png().toBuffer();
    const large = await noise(600, 400).png().toBuffer();
    expect(large.length).toBeGreaterThan(256 * 1024);
    const accepted = await intakeImages(
      [{ base64: small.toString('base64') }, { base64: large.toString('base64') }],
      options,
    );
    expect(accepted.map((image) => image.sha256)).toEqual([sha256(small), sha256(large)]);
  });

  it('decodes URL-safe and line-wrapped base64 of a large image to the same bytes', async () => {
    const large = await noise(600, 400).png().toBuffer();
    const wrapped = large.toString('base64').replace(/.{76}/g, '$&\n');
    const accepted = await intakeImages([{ base64: large.toString('base64url') }, { base64: wrapped }], options);
    expect(accepted.map((image) => image.sha256)).toEqual([sha256(large), sha256(large)]);
  });
});
