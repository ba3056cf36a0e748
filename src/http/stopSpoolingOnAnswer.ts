import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * After graphql-upload, for a multipart request: once the response is decided, the files
 * nobody read are no longer spooled. graphql-upload hands the request on as soon as the
 * `operations` and `map` fields are read (so the operation is parsed, validated and admitted
 * before any file arrives) but keeps writing every file part to disk as it streams in, and
 * holds the response until the upload ends: a refused operation (a bad document, a prompt,
 * a budget) still spooled every byte, 500 MB for one request. Here the request is detached
 * from the parser the moment the answer is ready, and what is left is read and discarded;
 * the answer still waits for the end of the request, as graphql-upload has it, since a client
 * still sending may not read an early answer.
 */
export const stopSpoolingOnAnswer: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  const { send, end } = res;
  res.send = function (this: typeof res, ...args: Parameters<typeof send>) {
    discardRest(req);
    return send.apply(this, args);
  };
  // A refusal written directly (sendAppError) bypasses `send`: it also waits for the request's end.
  res.end = function (this: typeof res, ...args: unknown[]) {
    discardRest(req);
    const finish = () => (end as (...a: unknown[]) => unknown).apply(this, args);
    if (req.readableEnded) finish();
    else req.once('end', finish);
    return this;
  } as typeof end;
  next();
};

function discardRest(req: IncomingMessage): void {
  if (req.readableEnded) return;
  req.unpipe();
  req.resume();
}
