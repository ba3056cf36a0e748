import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';
import { packageRoot } from '../packageRoot.js';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
};

/** A file served under `/assets/`, named by its content hash so browsers may keep it for a year. */
export interface WebAsset {
  /** The URL path, e.g. `/assets/graphiql.1a2b3c4d5e.js`. */
  readonly url: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A JavaScript module served under `/assets/`, with every module it imports (directly or not). */
export interface ModuleAsset {
  readonly url: string;
  /** The hashed URLs of its imports, transitively: the page preloads them (`<link rel="modulepreload">`). */
  readonly imports: readonly string[];
}

/**
 * Static import specifiers: `import … from '…'`, `export … from '…'` and `import '…'`, as
 * statements that start a line (so the text "import x from 'y'" inside a string or comment
 * is left alone). The clause before `from` holds only names, braces, commas and `*`, and
 * dynamic `import('…')` never matches.
 */
const STATIC_IMPORT = /^(\s*(?:import|export)(?=[\s{*])[\w$\s{},*]*?\bfrom\s*|\s*import\s*)(['"])([^'"\n]+)\2/gm;

/** Our own browser files (beside this module's source, read in dev and `npm start` alike). */
export const OWN_ASSETS_DIR = join(packageRoot(), 'src', 'web', 'assets');

const require = createRequire(import.meta.url);

/**
 * A file inside an installed npm package. Resolved through the package's package.json
 * because `exports` maps hide the UMD builds from `require.resolve('graphiql/dist/…')`.
 */
export function packageFile(packageName: string, relativePath: string): string {
  return join(dirname(require.resolve(`${packageName}/package.json`)), relativePath);
}

/**
 * A file beside a package's main entry point, for packages whose `exports` map hides their
 * package.json (`@kurkle/color`): `color.esm.js` beside `dist/color.cjs`.
 */
export function packageEntrySibling(packageName: string, fileName: string): string {
  return join(dirname(require.resolve(packageName)), fileName);
}

/**
 * The assets the pages use, read once at start-up so a missing file fails the start and
 * not the first browser. Bundles lose their `sourceMappingURL` comment: the maps are not
 * served, and a browser with developer tools open would otherwise request them.
 */
export class AssetRegistry {
  readonly #byUrl = new Map<string, WebAsset>();
  readonly #gzipped = new Map<string, Buffer>();
  /** ES modules already added, by absolute file path (a module two others import is served once). */
  readonly #modules = new Map<string, ModuleAsset>();

  /** Reads `file` and returns its hashed URL path. */
  add(name: string, file: string): string {
    const ext = extname(file);
    let body = readFileSync(file);
    if (ext === '.js' || ext === '.css') body = Buffer.from(withoutSourceMap(body.toString('utf8')), 'utf8');
    return this.#store(name, ext, body);
  }

  /**
   * Adds an ES module and, first, every module it imports, rewriting each static import
   * specifier to the import's hashed URL: a relative one (`./x.js`) resolved beside the file,
   * a bare one (`graphql-ws/client`) through `bare` — the server's import map (an inline
   * `<script type="importmap">` would need a CSP exception). A module's hash covers its
   * imports' URLs, so a changed dependency renames every module above it. An import that is
   * neither relative nor mapped, or a cycle (hashes need an order), stops the start.
   */
  addModule(name: string, file: string, bare: Readonly<Record<string, string>> = {}): ModuleAsset {
    return this.#addModule(name, resolve(file), bare, []);
  }

  #addModule(name: string, file: string, bare: Readonly<Record<string, string>>, chain: string[]): ModuleAsset {
    const known = this.#modules.get(file);
    if (known !== undefined) return known;
    if (chain.includes(file)) throw new Error(`Import cycle: ${[...chain, file].join(' → ')}`);
    const imports = new Set<string>();
    const source = withoutSourceMap(readFileSync(file, 'utf8')).replace(
      STATIC_IMPORT,
      (_match, head: string, quote: string, specifier: string) => {
        const relative = specifier.startsWith('./') || specifier.startsWith('../');
        const target = relative ? resolve(dirname(file), specifier) : bare[specifier];
        if (target === undefined) throw new Error(`${file} imports '${specifier}', which has no mapping`);
        const dependency = this.#addModule(
          relative ? basename(target, extname(target)) : specifier.replace(/[^\w.-]+/g, '-').replace(/^-+/, ''),
          target,
          bare,
          [...chain, file],
        );
        imports.add(dependency.url);
        for (const url of dependency.imports) imports.add(url);
        return `${head}${quote}${dependency.url}${quote}`;
      },
    );
    const asset = { url: this.#store(name, '.js', Buffer.from(source, 'utf8')), imports: [...imports] };
    this.#modules.set(file, asset);
    return asset;
  }

  #store(name: string, ext: string, body: Buffer): string {
    const contentType = CONTENT_TYPES[ext];
    if (contentType === undefined) throw new Error(`No content type for ${name}${ext}`);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const url = `/assets/${name}.${hash}${ext}`;
    this.#byUrl.set(url, { url, contentType, body });
    return url;
  }

  /** Serves `/assets/*` with year-long immutable caching and gzip for clients that take it. */
  handler(): RequestHandler {
    return (req, res, next) => {
      const asset = this.#byUrl.get(`/assets${req.path}`);
      if (asset === undefined) return next();
      res.set({
        'Content-Type': asset.contentType,
        'Cache-Control': 'public, max-age=31536000, immutable',
        'X-Content-Type-Options': 'nosniff',
        Vary: 'Accept-Encoding',
      });
      const compressible = asset.contentType.startsWith('text/') || asset.contentType === 'image/svg+xml';
      if (compressible && req.acceptsEncodings('gzip') === 'gzip') {
        res.set('Content-Encoding', 'gzip').send(this.#gzip(asset));
      } else {
        res.send(asset.body);
      }
    };
  }

  // Compressed on first request, not at start-up: most runs never load GraphiQL's megabyte.
  #gzip(asset: WebAsset): Buffer {
    let gzipped = this.#gzipped.get(asset.url);
    if (gzipped === undefined) {
      gzipped = gzipSync(asset.body, { level: 9 });
      this.#gzipped.set(asset.url, gzipped);
    }
    return gzipped;
  }
}

function withoutSourceMap(text: string): string {
  return text.replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n');
}
