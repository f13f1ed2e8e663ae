// Okabe–Ito colours (Okabe & Ito, "Color Universal Design", 2008): told apart
// with the common forms of colour blindness, and still distinct in greyscale
// print when paired with the dash patterns line.ts adds once colours repeat.

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/**
 * Series order: strongest contrast on white first; yellow last because it is
 * faint on white, and black left out because it vanishes in dark mode.
 */
export const SERIES_COLORS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.yellow,
];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

/** Dash patterns for the second, third… time colours come round, so repeats stay distinguishable. */
const DASHES = ['6 4', '2 3', '8 3 2 3'];

export function repeatDash(index: number): string | undefined {
  const round = Math.floor(index / SERIES_COLORS.length);
  return round === 0 ? undefined : DASHES[(round - 1) % DASHES.length];
}
