import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/**
 * Node's request and response classes for `app`, made with the prototypes Express would give every request and
 * response (`app.request`, `app.response`), for `http.createServer({ IncomingMessage, ServerResponse }, app)`.
 * Express sets those prototypes on each request (Object.setPrototypeOf in `app.handle`); on objects made with them
 * already that is a no-op. Otherwise every request's objects change prototype after Node's HTTP code has seen them,
 * and that code's property accesses miss their inline caches: 22 % of the main thread's samples in a profile of the
 * server refusing 2 000 requests a second. (Requests Express never sees, such as Node's own 400s, carry Express's
 * prototypes too, unused. A sub-app mounted with `app.use(subApp)` would set its own again, costing only speed.)
 *
 * Node 20's classes are plain constructor functions, which a function of ours can call on `this`. Where they are
 * not (a later Node making them ES classes), one pair is tried here and the server falls back to Node's own, so it
 * serves as before, only slower; the unit test then fails and says so.
 */
export function expressMessageClasses(app: Express): {
  IncomingMessage?: typeof IncomingMessage;
  ServerResponse?: typeof ServerResponse;
} {
  // Node passes (socket) and (req, options); @types/node declares fewer, so the arguments go on as they come.
  function AppRequest(this: IncomingMessage, ...args: unknown[]) {
    (IncomingMessage as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, ...args: unknown[]) {
    (ServerResponse as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  AppResponse.prototype = app.response;
  const classes = {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
  };
  try {
    new classes.ServerResponse(new classes.IncomingMessage(null as never));
  } catch {
    return {};
  }
  return classes;
}
