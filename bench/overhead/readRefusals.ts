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

/** A phase's refusals: each bound with what it refused, largest first. */
export type PhaseRefusals = readonly (readonly [string, number])[];

/** What a phase added to each bound's count, largest first; bounds that refused nothing are left out. */
export function refusalsSince(before: Refusals, after: Refusals): PhaseRefusals {
  return [...after]
    .map(([reason, n]) => [reason, n - (before.get(reason) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** `3230 database_wait, 58 in_flight`, or '' when nothing was refused. */
export function formatRefusals(refusals: PhaseRefusals): string {
  return refusals.map(([reason, n]) => `${n} ${reason}`).join(', ');
}
