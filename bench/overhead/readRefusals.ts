/** Admission refusals by the bound each hit, as the API's /metrics counts them (bvg_admission_refusals_total). */
export type Refusals = ReadonlyMap<string, number>;

export async function readRefusals(origin: string): Promise<Refusals> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const [, reason, value] of text.matchAll(/^bvg_admission_refusals_total\{reason="(\w+)"\} (\d+)$/gm)) {
    counts.set(reason!, Number(value));
  }
  return counts;
}

/** What a phase added to each bound's count, largest first; bounds that refused nothing are left out. */
export function refusalsSince(before: Refusals, after: Refusals): (readonly [string, number])[] {
  return [...after]
    .map(([reason, n]) => [reason, n - (before.get(reason) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}
