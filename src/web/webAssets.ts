import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
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
 * The assets the pages use, read once at start-up so a missing file fails the start and
 * not the first browser. Bundles lose their `sourceMappingURL` comment: the maps are not
 * served, and a browser with developer tools open would otherwise request them.
 */
export class AssetRegistry {
  readonly #byUrl = new Map<string, WebAsset>();
  readonly #gzipped = new Map<string, Buffer>();

  /** Reads `file` and returns its hashed URL path. */
  add(name: string, file: string): string {
    const ext = extname(file);
    const contentType = CONTENT_TYPES[ext];
    if (contentType === undefined) throw new Error(`No content type for ${file}`);
    let body = readFileSync(file);
    if (ext === '.js' || ext === '.css') {
      body = Buffer.from(body.toString('utf8').replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n'), 'utf8');
    }
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
