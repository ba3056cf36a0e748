import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { sendAppError } from './sendAppError.js';

/** What a load balancer is told about a stopping server: not ready, and each new request is refused. */
export interface Drain {
  /** From now on /readyz answers 503 and every new request but /healthz is refused with SERVICE_UNAVAILABLE. */
  begin(): void;
  readonly draining: boolean;
  /** Resolves when no HTTP request is in flight (at once if none is). */
  idle(): Promise<void>;
  /** First in the chain: counts requests in flight, and refuses new ones once the drain began. */
  readonly middleware: RequestHandler;
}

/**
 * The HTTP side of a graceful stop. The listener stays open while in-flight work finishes, so a probe of /readyz gets
 * a 503 at once rather than a refused connection, and a client that sends one more request on a kept-alive connection
 * is told to go elsewhere (`Retry-After`, `Connection: close`) rather than started on work that would be cut.
 */
export function createDrain(): Drain {
  let draining = false;
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const finished = () => {
    inFlight -= 1;
    if (inFlight === 0) {
      for (const resolve of waiters) resolve();
      waiters = [];
    }
  };
  return {
    begin() {
      draining = true;
    },
    get draining() {
      return draining;
    },
    idle() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    middleware(req, res, next) {
      if (draining && req.path !== '/healthz') {
        res.setHeader('connection', 'close');
        if (req.path === '/readyz') {
          res.status(503).json({ status: 'stopping' });
          return;
        }
        sendAppError(
          res,
          new AppError('SERVICE_UNAVAILABLE', 'The server is stopping; send the request again', {
            retryAfterSeconds: 1,
          }),
        );
        return;
      }
      inFlight += 1;
      res.once('close', finished);
      next();
    },
  };
}
