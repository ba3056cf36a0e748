import type pg from 'pg';
import { createQueueDelay, type QueueDelay } from './createQueueDelay.js';

type ConnectCallback = Parameters<pg.Pool['connect']>[0] & {};

/**
 * Times every wait for a connection that has to queue, whoever asks: the driver's pool.query and Prisma's adapter both
 * call the pool's `connect`, so wrapping it keeps pg-pool's own error handling. A caller queues when the pool is full
 * and either no connection is idle or others already wait (pg-pool hands an idle one to the queue first). Opening a
 * new connection, however slow, is not queueing; a caller that finds room while others wait (a connection being
 * removed) skips a queue that stands, and says nothing either way.
 */
export function timeQueueing(pool: pg.Pool, max: number): QueueDelay {
  const queueDelay = createQueueDelay();
  const connect = pool.connect.bind(pool);
  function timed(): Promise<pg.PoolClient>;
  function timed(callback: ConnectCallback): void;
  function timed(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const full = pool.totalCount >= max;
    const queues = full && (pool.idleCount === 0 || pool.waitingCount > 0);
    if (!queues) {
      if (pool.waitingCount === 0) queueDelay.free();
      return callback === undefined ? connect() : connect(callback);
    }
    const waited = queueDelay.wait();
    if (callback === undefined) return connect().finally(waited);
    connect((error, client, release) => {
      waited();
      callback(error, client, release);
    });
  }
  pool.connect = timed;
  return queueDelay;
}
