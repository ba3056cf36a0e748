/**
 * Anthropic's estimate of the input tokens an image costs: width × height / 750,
 * rounded up, of the image as the model receives it.
 */
export function estimateImageTokens(width: number, height: number): number {
  return Math.ceil((width * height) / 750);
}
