import { Router } from 'express';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

/** How long /readyz waits for the database before answering 503: shorter than any probe's own timeout. */
const READINESS_TIMEOUT_MS = 2_000;

/**
 * Liveness at /healthz (the process answers) and readiness at /readyz (the database answers
 * too), for load balancers and orchestrators. Neither is admitted or authenticated: a probe
 * must get through an overloaded server to see that it is overloaded, not dead.
 */
export function createHealthRouter(store: Store, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      // A frozen database must not hang the probe: not ready is the answer after READINESS_TIMEOUT_MS.
      await Promise.race([
        store.ping(),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('database ping timed out')), READINESS_TIMEOUT_MS);
        }),
      ]);
      res.json({ status: 'ok', database: store.kind });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: store.kind });
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
