import { describe, expect, it } from 'vitest';

import { colourHex, colourName } from '../../src/emulator/colourName.js';
import { imageTokens, modelViewSize, textTokens, truncateToTokens } from '../../src/emulator/tokens.js';

describe('Emulator: token and colour rules', () => {
  it('downscales to a 1568 px long edge keeping the aspect ratio', () => {
    expect(modelViewSize(3000, 2000)).toEqual({ width: 1568, height: 1045 });
    expect(modelViewSize(1000, 8000)).toEqual({ width: 196, height: 1568 });
    expect(modelViewSize(1568, 10)).toEqual({ width: 1568, height: 10 });
  });

  it('charges ceil(w × h / 750) tokens per image after the downscale', () => {
    expect(imageTokens(64, 32)).toBe(3);
    expect(imageTokens(3000, 2000)).toBe(Math.ceil((1568 * 1045) / 750));
  });

  it('charges ceil(characters / 4) over all texts together, counting code points', () => {
    expect(textTokens(['abc', 'de'])).toBe(2);
    expect(textTokens([''])).toBe(0);
    expect(textTokens(['🙂🙂🙂🙂'])).toBe(1);
    expect(truncateToTokens('🙂'.repeat(10), 2)).toBe('🙂'.repeat(8));
  });

  it('names colours coarsely and deterministically', () => {
    expect(colourName({ r: 0x3c, g: 0x4a, b: 0x2f })).toBe('dark green');
    expect(colourName({ r: 255, g: 0, b: 0 })).toBe('red');
    expect(colourName({ r: 255, g: 255, b: 255 })).toBe('white');
    expect(colourName({ r: 128, g: 128, b: 128 })).toBe('grey');
    expect(colourName({ r: 0, g: 0, b: 0 })).toBe('black');
    expect(colourName({ r: 150, g: 200, b: 255 })).toBe('light blue');
    expect(colourHex({ r: 60, g: 74, b: 47 })).toBe('#3c4a2f');
  });
});
