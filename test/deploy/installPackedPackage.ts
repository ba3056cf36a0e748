import { execFileSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface LockEntry {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
}

/**
 * Copies a tree with hard links (same file system) or copies, leaving out nested `node_modules`
 * folders: each package inside one is placed by its own lockfile entry, or not at all.
 */
function placeTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (name === 'node_modules') continue;
    const source = join(from, name);
    const target = join(to, name);
    const stat = lstatSync(source);
    if (stat.isDirectory()) placeTree(source, target);
    else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else linkSync(source, target);
  }
}

/**
 * Production dependencies, the way `npm ci --omit=dev` picks them from the lockfile, but stricter
 * and without the network or npm's minute of unpacking: every package the lockfile does not mark
 * `dev` or `devOptional` (the Prisma CLI and TypeScript are optional peers of @prisma/client, so
 * npm itself would keep them; leaving them out proves the server never needs them), and optional
 * packages only where this machine has them (sharp's build for this platform).
 */
function placeProductionDependencies(appDir: string): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const placed: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link || entry.dev || entry.devOptional) continue;
    const source = join(REPO, path);
    if (!existsSync(source)) {
      if (entry.optional) continue;
      throw new Error(`${path} is a production dependency but is not installed in ${REPO}: run npm ci`);
    }
    placeTree(source, join(appDir, path));
    placed.push(path);
  }
  return placed;
}

export interface InstalledPackage {
  /** The folder holding the unpacked package and its node_modules. */
  readonly dir: string;
  /** The files `npm pack` put in the tarball, relative to the package. */
  readonly packedFiles: readonly string[];
  /** Lockfile paths of the dependencies installed (`node_modules/…`). */
  readonly dependencies: readonly string[];
}

/**
 * What a deployment gets: the tarball `npm pack` makes from this repository (what `npm run build`
 * left in dist/; CI builds on `npm ci`), unpacked into an empty folder, with production
 * dependencies only. The Dockerfile's runtime stage is the same thing, installed by `npm ci`.
 */
export function installPackedPackage(emptyDir: string): InstalledPackage {
  if (!existsSync(join(REPO, 'dist', 'src', 'main.js'))) {
    throw new Error('dist/src/main.js is missing: run npm run build (npm install runs it) before this test');
  }
  const output = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', emptyDir], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output) as [{ filename: string; files: { path: string }[] }];
  const dir = join(emptyDir, 'app');
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', join(emptyDir, packed.filename), '-C', dir, '--strip-components=1']);
  const dependencies = placeProductionDependencies(dir);
  return { dir, packedFiles: packed.files.map((f) => f.path), dependencies };
}
