import { Router } from 'express';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

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
    try {
      await store.ping();
      res.json({ status: 'ok', database: store.kind });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', database: store.kind });
    }
  });
  return router;
}
