/**
 * Who the main thread's on-CPU samples belong to, from `perf script -F ip,sym,dso` of a process run with
 * `node --perf-basic-prof` (so JavaScript frames carry their file). Each sample goes to the nearest frame on its
 * stack that belongs to a package or to the app: Node's own modules (streams, HTTP, timers), V8's builtins and
 * runtime, libc and the kernel under it are charged to the JavaScript that called them. A `writev` under
 * node-postgres counts as node-postgres, a megamorphic property load in the SDK as the SDK.
 *
 * Unlike `--cpu-prof`, which samples wall-clock time and so charges a thread's preemption to whatever it was doing,
 * `perf record -e cpu-clock` counts only time on a CPU.
 *
 *   perf record -e cpu-clock -F 1999 -g -t <pid> -o main.data -- sleep 25
 *   perf script -i main.data -F ip,sym,dso | node dist/bench/overhead/perfByOwner.js
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A JavaScript frame in a perf map: `JS:*name file:///…/x.js:1:2` (`*` optimised, `~` interpreted, `^` baseline). */
// The name may hold spaces (`get size`, `bound run`); the file is the last word.
const JS_FRAME = /^(?:JS|LazyCompile|Function):[*~^+]?.* (\S+)$/;

/** The package (`pg`, `@smithy/core`) or app folder (`src/store`) a frame's file belongs to; undefined for Node's own. */
export function ownerOfFrame(symbol: string): string | undefined {
  const match = JS_FRAME.exec(symbol);
  if (match === null) return undefined;
  const file = match[1]!;
  if (file.startsWith('node:')) return undefined;
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // The last `/src/` or `/bench/` of the path: the checkout itself may sit in a folder named src.
  const app = /.*\/(src|bench)\/(.*)$/.exec(file);
  if (app === null) return file;
  const [folder, rest] = app[2]!.split(/\/(.*)/);
  return `${app[1]}/${rest === undefined ? '(root)' : folder}`;
}

const GROUPS: readonly (readonly [string, RegExp])[] = [
  [
    'the AWS SDK: Converse call, SigV4, its HTTP/2 client (src/bedrock included)',
    /^(@smithy\/|@aws-sdk\/|@aws\/|src\/bedrock$)/,
  ],
  [
    'HTTP server: Express, its router and body parsing',
    /^(@as-integrations\/.*|express|router|path-to-regexp|is-promise|statuses|ee-first|unpipe|body-parser|raw-body|iconv-lite|bytes|http-errors|debug|negotiator|etag|content-type|type-is|whatwg-mimetype|send|finalhandler|on-finished|accepts|fresh|vary|cookie|mime-types|media-typer|serve-static|parseurl|depd)$/,
  ],
  [
    "node-postgres and Prisma's runtime helpers (statements and rows)",
    /^(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-.*|@prisma\/.*)$/,
  ],
  [
    'GraphQL: graphql-js, Apollo Server',
    /^(graphql|@apollo\/|@graphql-tools\/|@escape\.tech\/|lru-cache$|src\/graphql$)/,
  ],
  ['sharp (header check)', /^sharp$/],
  ['metrics, logs, tracing', /^(prom-client|pino|pino-std-serializers|@opentelemetry\/|src\/telemetry$|src\/logging$)/],
  ['the app (src/describe, src/store, src/images, src/http …)', /^src\//],
];

/** The group an owner from ownerOfFrame falls in; an owner of undefined (a sample with no owning frame) has one too. */
export function groupOf(owner: string | undefined): string {
  if (owner === undefined)
    return "no package or app frame: Node's internals alone (promise jobs, streams), native code, GC, kernel";
  return GROUPS.find(([, pattern]) => pattern.test(owner))?.[0] ?? `other: ${owner}`;
}

/** The owner of one sample, its frames leaf first. */
export function ownerOfSample(frames: readonly string[]): string | undefined {
  for (const frame of frames) {
    const owner = ownerOfFrame(frame);
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** A line of `perf script -F ip,sym,dso`: the address, the symbol, the object in brackets. */
const FRAME_LINE = /^\s*[0-9a-f]+ (.*) \((.*)\)$/;

/** Counts samples by owner from perf script's text, given line by line; a blank line ends a sample. */
export function createOwnerTally() {
  const byOwner = new Map<string | undefined, number>();
  let frames: string[] = [];
  let samples = 0;
  const flush = () => {
    if (frames.length === 0) return;
    samples += 1;
    const owner = ownerOfSample(frames);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
    frames = [];
  };
  return {
    line(text: string) {
      if (text.trim() === '') return flush();
      const frame = FRAME_LINE.exec(text);
      if (frame !== null) frames.push(frame[1]!);
    },
    result() {
      flush();
      const byGroup = new Map<string, number>();
      for (const [owner, count] of byOwner) byGroup.set(groupOf(owner), (byGroup.get(groupOf(owner)) ?? 0) + count);
      return { samples, byOwner, byGroup };
    },
  };
}

async function main(): Promise<void> {
  const tally = createOwnerTally();
  for await (const line of createInterface({ input: process.stdin })) tally.line(line);
  const { samples, byOwner, byGroup } = tally.result();
  const share = (count: number) => `${((100 * count) / samples).toFixed(1).padStart(5)} %`;
  const sorted = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1]);
  console.log(`${samples} samples\n\nby group:`);
  for (const [group, count] of sorted(byGroup)) console.log(`${share(count)}  ${group}`);
  console.log('\nby owner (the first 30):');
  for (const [owner, count] of sorted(byOwner).slice(0, 30)) console.log(`${share(count)}  ${owner ?? '(none)'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
