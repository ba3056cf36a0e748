/** Words per chunk, cycled: models stream a few tokens per event, unevenly, and a fixed cycle keeps it repeatable. */
const WORDS_PER_CHUNK = [3, 5, 4, 8, 6, 7] as const;

/**
 * Cuts an answer into the pieces a stream sends, deterministically: 3 to 8 words each, every word keeping the
 * whitespace before it (as model tokens do), so the pieces joined are exactly the text. An empty text has no piece.
 */
export function splitIntoChunks(text: string): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const trailing = text.slice(words.reduce((length, word) => length + word.length, 0));
  if (words.length === 0) return trailing === '' ? [] : [trailing];
  const chunks: string[] = [];
  for (let start = 0, i = 0; start < words.length; i++) {
    const size = WORDS_PER_CHUNK[i % WORDS_PER_CHUNK.length];
    chunks.push(words.slice(start, start + size).join(''));
    start += size;
  }
  chunks[chunks.length - 1] += trailing;
  return chunks;
}
