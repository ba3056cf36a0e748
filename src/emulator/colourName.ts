/** An sRGB colour with 0–255 channels, as sharp's `stats()` reports it. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** `#rrggbb`, the exact value, so a test can check the emulator looked at the pixels. */
export function colourHex({ r, g, b }: Rgb): string {
  return '#' + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
}

/** Hue boundaries in degrees, each naming the hues below it; coarse on purpose, a word a person would use. */
const hueNames: readonly (readonly [number, string])[] = [
  [15, 'red'],
  [45, 'orange'],
  [70, 'yellow'],
  [170, 'green'],
  [200, 'cyan'],
  [260, 'blue'],
  [290, 'purple'],
  [345, 'pink'],
  [360, 'red'],
];

/**
 * A coarse English name such as "dark green" or "light grey", from hue, saturation and lightness. Deterministic, so
 * the description (and its token count) never changes for the same pixels.
 */
export function colourName({ r, g, b }: Rgb): string {
  const [rf, gf, bf] = [r / 255, g / 255, b / 255];
  const max = Math.max(rf, gf, bf);
  const min = Math.min(rf, gf, bf);
  const lightness = (max + min) / 2;
  const chroma = max - min;
  if (lightness < 0.1) return 'black';
  if (lightness > 0.93) return 'white';
  const saturation = chroma === 0 ? 0 : chroma / (1 - Math.abs(2 * lightness - 1));
  const shade = lightness < 0.35 ? 'dark ' : lightness > 0.7 ? 'light ' : '';
  if (saturation < 0.15) return shade + 'grey';
  let hue: number;
  if (max === rf) hue = 60 * (((gf - bf) / chroma + 6) % 6);
  else if (max === gf) hue = 60 * ((bf - rf) / chroma + 2);
  else hue = 60 * ((rf - gf) / chroma + 4);
  const name = hueNames.find(([limit]) => hue < limit)?.[1] ?? 'red';
  return shade + name;
}
