// Module hooks that let a child `node` process run the TypeScript sources directly, so tests can spawn the real
// server (`node --import ./test/helpers/registerTsLoader.mjs src/main.ts`) without building dist/ first. Each file
// is transpiled alone with the project's own `typescript` (no type check), as `tsc` would emit it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * TypeScript itself is loaded on the first file not in the cache: loading it costs about a second of CPU in every
 * spawned server, and with a warm cache no server needs it.
 */
let transpiler;
function loadTranspiler() {
  transpiler ??= import('typescript').then(({ default: ts }) => ({
    ts,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2023,
      verbatimModuleSyntax: true,
      sourceMap: false,
      inlineSourceMap: true,
    },
  }));
  return transpiler;
}

/** Transpiled files, keyed by path and source: the generated Prisma client alone takes seconds to transpile. */
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/bvg-ts-loader/', import.meta.url));

/** Sources import each other as `./x.js` (NodeNext style); the file on disk is `./x.ts`. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('.js') && context.parentURL?.endsWith('.ts') && /^\.\.?\//.test(specifier)) {
    const tsUrl = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(tsUrl))) return { url: tsUrl.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const key = createHash('sha256').update(fileName).update('\0').update(source).digest('hex');
  const cached = `${CACHE_DIR}${key}.js`;
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // Not transpiled yet.
  }
  const { ts, compilerOptions } = await loadTranspiler();
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName });
  await mkdir(CACHE_DIR, { recursive: true });
  // Written aside and renamed, so another process reading it never sees half a file.
  const partial = `${cached}.${process.pid}`;
  await writeFile(partial, outputText);
  await rename(partial, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
