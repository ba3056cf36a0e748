import { describe, expect, it } from 'vitest';

import { splitIntoChunks } from '../../src/emulator/splitIntoChunks.js';

describe('Emulator: splitting an answer into stream chunks', () => {
  const text = 'Image 1 is a 64×32 PNG image filled with the single colour #ff0000 (red). You asked: "What is it?".';

  it('cuts the text into pieces of 3 to 8 words that join back into it exactly', () => {
    const chunks = splitIntoChunks(text);

    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks.slice(0, -1)) {
      const words = chunk.trim().split(/\s+/).length;
      expect(words).toBeGreaterThanOrEqual(3);
      expect(words).toBeLessThanOrEqual(8);
    }
  });

  it('cuts the same text the same way every time', () => {
    expect(splitIntoChunks(text)).toEqual(splitIntoChunks(text));
  });

  it('keeps leading, trailing and inner whitespace', () => {
    const spaced = '  one\ttwo\n\nthree four five six seven eight nine  ';

    expect(splitIntoChunks(spaced).join('')).toBe(spaced);
    expect(splitIntoChunks('   ')).toEqual(['   ']);
  });

  it('has no piece for an empty answer', () => {
    expect(splitIntoChunks('')).toEqual([]);
  });
});
