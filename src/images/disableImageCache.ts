import sharp from 'sharp';

/**
 * Turns off libvips' operation cache for the server's lifetime. It keeps the results of recent
 * operations (by default up to 50 MB and 100 of them) for the same operation on the same input
 * again; every request brings its images in a new buffer, so for a server the cache only holds
 * memory.
 */
export function disableImageCache(): void {
  sharp.cache(false);
}
