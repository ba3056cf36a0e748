import type { RequestHandler } from 'express';
import { isAppError } from '../errors.js';
import type { Admission, Ticket } from './createAdmission.js';
import { sendAppError } from './sendAppError.js';

/**
 * Express middleware in front of every route that does work: past the admission bounds a
 * request is refused before its body is read (see createAdmission); an admitted request
 * holds its ticket until its response closes.
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
    res.once('close', () => ticket.release());
    next();
  };
}
