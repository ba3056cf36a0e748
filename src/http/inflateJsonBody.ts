import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { sendAppError } from './sendAppError.js';

export interface InflateLimits {
  /** Decompressed bytes at most: the same bound as a plain body. */
  readonly maxInflatedBytes: number;
  /**
   * Decompressed bytes per compressed byte, past a small allowance. JSON carrying base64
   * images compresses about 1.3 : 1 and prose about 5 : 1; 100 KB of gzip that inflates to
   * 100 MB (1000 : 1) is a bomb, and is refused after at most `ratio` × what was sent.
   */
  readonly maxRatio: number;
}

/** Inflated bytes allowed before the ratio applies, so a small body's header overhead cannot trip it. */
const RATIO_ALLOWANCE_BYTES = 1024 * 1024;

const DECOMPRESSORS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Express middleware for a compressed JSON body (`Content-Encoding: gzip`, `deflate` or `br`):
 * inflates it with two caps, total bytes and the inflation ratio, checked as the bytes arrive,
 * and parses it. The body parser behind it then sees a finished request and steps aside.
 * express.json() inflated every such body up to its limit (106 MB), so 64 bodies of 100 KB
 * each were 6.4 GB of heap; refused here, one costs at most `maxRatio` times its own size.
 * Other compressed bodies (multipart, unknown encodings) are refused: nothing needs them.
 */
export function inflateJsonBody(limits: InflateLimits): RequestHandler {
  return (req, res, next) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity') return next();
    const decompressor = DECOMPRESSORS[encoding];
    if (decompressor === undefined || !req.is('application/json')) {
      sendAppError(
        res,
        new AppError('BAD_REQUEST', 'Only an application/json body may be compressed, with gzip, deflate or br'),
      );
      return;
    }
    readInflated(req, decompressor(), limits).then(
      (text) => {
        try {
          req.body = JSON.parse(text);
        } catch {
          sendAppError(res, new AppError('BAD_REQUEST', 'Malformed request body'));
          return;
        }
        next();
      },
      (error: unknown) => {
        // Stop reading what is left: the connection closes once the refusal is written.
        res.setHeader('connection', 'close');
        sendAppError(res, error instanceof AppError ? error : new AppError('BAD_REQUEST', 'Malformed request body'));
      },
    );
  };
}

function readInflated(req: IncomingMessage, inflate: Transform, limits: InflateLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    let compressed = 0;
    let inflated = 0;
    const chunks: Buffer[] = [];
    const fail = (error: unknown) => {
      req.unpipe(inflate);
      inflate.destroy();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      compressed += chunk.length;
    });
    inflate.on('data', (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > limits.maxInflatedBytes) {
        fail(new AppError('PAYLOAD_TOO_LARGE', `The body inflates to more than ${limits.maxInflatedBytes} bytes`));
      } else if (inflated > RATIO_ALLOWANCE_BYTES && inflated > compressed * limits.maxRatio) {
        fail(
          new AppError(
            'PAYLOAD_TOO_LARGE',
            `The compressed body inflates more than ${limits.maxRatio} times; send it uncompressed`,
          ),
        );
      } else {
        chunks.push(chunk);
      }
    });
    inflate.once('error', fail);
    req.once('error', fail);
    inflate.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.pipe(inflate);
  });
}
