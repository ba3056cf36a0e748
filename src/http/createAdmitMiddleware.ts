import type { RequestHandler, Response } from 'express';
import { isAppError } from '../errors.js';
import type { Admission, Ticket } from './createAdmission.js';
import { sendAppError } from './sendAppError.js';

/** Holds an admitted request's ticket past its response; the returned function lets go (once). */
type Hold = () => () => void;

const holds = new WeakMap<Response, Hold>();

/**
 * Express middleware in front of every route that does work: past the admission bounds a
 * request is refused before its body is read (see createAdmission); an admitted request
 * holds its ticket until its response closes and any work it started (holdAdmissionWhile) ends.
 */
export function createAdmitMiddleware(admission: Admission): RequestHandler {
  return (req, res, next) => {
    let ticket: Ticket;
    try {
      ticket = admission.admit(req);
    } catch (error) {
      if (!isAppError(error)) throw error;
      sendAppError(res, error);
      return;
    }
    // One hold is the response's own; each holdAdmissionWhile adds one while its handler runs.
    let held = 1;
    const letGo = () => {
      held -= 1;
      if (held === 0) ticket.release();
    };
    holds.set(res, () => {
      held += 1;
      return once(letGo);
    });
    res.once('close', () => {
      holds.delete(res);
      letGo();
    });
    next();
  };
}

function once(run: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    run();
  };
}

/**
 * A handler whose work may outlive its response: a client that went away closes the response,
 * but the GraphQL operation runs on (a describeImage call is billed and recorded, for a retry
 * to replay). The request keeps its admission until the handler has finished too, so a
 * disconnect frees no capacity that is still in use. `handler` must return a promise of its work
 * (Apollo's express integration does).
 */
export function holdAdmissionWhile(handler: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    const letGo = holds.get(res)?.();
    try {
      await handler(req, res, next);
    } finally {
      letGo?.();
    }
  };
}
