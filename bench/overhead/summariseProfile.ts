/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`): self time aggregated by owner —
 * `node_modules/<package>`, `src/<folder>` of this app, node internals, native code, GC — as shares of busy time
 * (everything but idle). A second view charges node internals, native code and WebAssembly to the nearest caller
 * that has an owner, so a JSON.parse or a hash shows up under the package that asked for it.
 *
 *   node dist/bench/overhead/summariseProfile.js <file.cpuprofile> [--top N]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface ProfileShare {
  readonly owner: string;
  readonly ms: number;
  /** Of busy time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly wallMs: number;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly bySelf: readonly ProfileShare[];
  readonly byCaller: readonly ProfileShare[];
}

const IDLE = 'idle';
/** Owners that are not code of ours or of a package: charged to their caller in the second view. */
const UNOWNED = new Set(['node internals', 'native (V8 builtins, C++)', 'wasm']);

/** Who owns a frame: a package, a folder of this app, or one of the runtime's own categories. */
export function ownerOf(functionName: string, url: string): string {
  switch (functionName) {
    case '(idle)':
      return IDLE;
    case '(garbage collector)':
      return 'GC';
    case '(program)':
      return 'V8 (program)';
    case '(root)':
      return '(root)';
  }
  if (url === '') return 'native (V8 builtins, C++)';
  if (url.startsWith('node:')) return 'node internals';
  if (url.startsWith('wasm://')) return 'wasm';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return `node_modules/${scope?.startsWith('@') ? `${scope}/${name}` : scope}`;
  }
  const app = /\/dist\/(src|bench)\/(.+)$/.exec(path);
  if (app !== null) {
    const [folder, rest] = [app[1], app[2] ?? ''];
    const parts = rest.split('/');
    if (parts[0] === 'generated') return `${folder}/generated/${parts[1] ?? ''} (generated client)`;
    return parts.length > 1 ? `${folder}/${parts[0]}` : `${folder}/${rest}`;
  }
  return `other: ${path}`;
}

/** Self time per node, in ms: each sample lasts until the next one (as Chrome DevTools counts it). */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples !== undefined && timeDeltas !== undefined && samples.length > 0) {
    for (let i = 0; i < samples.length; i += 1) {
      const micros = timeDeltas[i + 1] ?? 0;
      const id = samples[i] as number;
      self.set(id, (self.get(id) ?? 0) + Math.max(0, micros) / 1000);
    }
    return self;
  }
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const perHit = hits === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / hits;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * perHit);
  return self;
}

function shares(totals: Map<string, number>, busyMs: number): ProfileShare[] {
  return [...totals]
    .filter(([owner]) => owner !== IDLE)
    .map(([owner, ms]) => ({ owner, ms, percent: busyMs === 0 ? 0 : (100 * ms) / busyMs }))
    .sort((a, b) => b.ms - a.ms);
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map(
    profile.nodes.map((node) => [node.id, ownerOf(node.callFrame.functionName, node.callFrame.url)]),
  );
  const callerOwner = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const o = owner.get(at) as string;
      if (!UNOWNED.has(o) && o !== '(root)') return o;
    }
    return owner.get(id) as string;
  };
  const bySelf = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfTimes(profile)) {
    if (!nodes.has(id) || ms === 0) continue;
    totalMs += ms;
    const o = owner.get(id) as string;
    bySelf.set(o, (bySelf.get(o) ?? 0) + ms);
    const caller = UNOWNED.has(o) ? callerOwner(id) : o;
    const c = caller === o ? o : `${caller} (${o})`;
    byCaller.set(c, (byCaller.get(c) ?? 0) + ms);
  }
  const idleMs = bySelf.get(IDLE) ?? 0;
  const busyMs = totalMs - idleMs;
  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs,
    idleMs,
    bySelf: shares(bySelf, busyMs),
    byCaller: shares(byCaller, busyMs),
  };
}

/** The summary as text: two ranked lists of owners with their share of busy time. */
export function formatProfileSummary(summary: ProfileSummary, top = 25): string {
  const list = (title: string, rows: readonly ProfileShare[]) => [
    title,
    ...rows
      .slice(0, top)
      .map((row) => `  ${row.percent.toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.owner}`),
    ...(rows.length > top ? [`  … ${rows.length - top} more`] : []),
  ];
  const idlePercent = summary.wallMs === 0 ? 0 : (100 * summary.idleMs) / summary.wallMs;
  return [
    `profile: ${(summary.wallMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s, idle ${idlePercent.toFixed(0)} % of the time`,
    ...list('self time by owner (% of busy time):', summary.bySelf),
    ...list('node internals, native code and wasm charged to the nearest owned caller:', summary.byCaller),
  ].join('\n');
}

function main(argv: readonly string[]): void {
  const topAt = argv.indexOf('--top');
  const top = topAt === -1 ? 25 : Number(argv[topAt + 1]);
  const file = argv.find((arg, i) => !arg.startsWith('--') && (topAt === -1 || i !== topAt + 1));
  if (file === undefined || !Number.isInteger(top) || top < 1) {
    console.error('usage: node dist/bench/overhead/summariseProfile.js <file.cpuprofile> [--top N]');
    process.exitCode = 2;
    return;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatProfileSummary(summariseProfile(profile), top));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
