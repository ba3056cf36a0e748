import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { DescribeImageUseCase } from '../describe/index.js';
import type { OperationRecord } from './OperationRecord.js';
import { recordDescribe } from './recordDescribe.js';
import type { Tracing } from './Tracing.js';

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse & { locals: Record<string, unknown> }, next: Next) => void;

/** A request id a client may choose: short, and nothing a log reader could mistake for structure. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

// Keys in express's res.locals, where a request's own values live between middlewares.
const RECORD = 'bvgOperationRecord';
const SPAN = 'bvgRequestSpan';

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Request tracking for the GraphQL route, in two middlewares because a request's body is read in
 * between. `start` goes first: it gives the request its id (echoed as `x-request-id`, refusals
 * included) and start time and, when tracing is on, opens the HTTP server span (continuing a
 * caller's `traceparent`). `activate` goes right before Apollo, after the body parsers: it makes
 * that span the active one, so the spans the operation starts are its children. (Activating it in
 * `start` would not reach Apollo: body-parser resumes from the socket's own events, outside it.)
 */
export function createRequestTracking(tracing: Tracing | undefined) {
  const start: Middleware = (req, res, next) => {
    const record: OperationRecord = { requestId: requestIdOf(req), startedAt: performance.now() };
    res.locals[RECORD] = record;
    res.setHeader('x-request-id', record.requestId);
    if (tracing !== undefined) res.locals[SPAN] = startServerSpan(tracing, req, res);
    next();
  };
  const activate: Middleware | undefined =
    tracing === undefined
      ? undefined
      : (_req, res, next) => {
          const span = res.locals[SPAN] as Span | undefined;
          if (span === undefined) return next();
          context.with(trace.setSpan(context.active(), span), next);
        };
  return { start, activate };
}

/** The request's record, as `start` left it (undefined on a route it does not run on). */
export function operationRecordOf(res: { locals: Record<string, unknown> }): OperationRecord | undefined {
  return res.locals[RECORD] as OperationRecord | undefined;
}

/**
 * The GraphQL context of one request: the shared one, with the request's record and a describe
 * use case that notes what it did there (model, usage, cost) for the operation's log line.
 */
export function createOperationContext<C extends { readonly describe: DescribeImageUseCase }>(
  shared: C,
  record: OperationRecord,
  defaultModelId: string,
): C & { readonly operation: OperationRecord } {
  return { ...shared, describe: recordDescribe(shared.describe, record, defaultModelId), operation: record };
}

function startServerSpan(tracing: Tracing, req: IncomingMessage, res: ServerResponse): Span {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  // Mounted under a path, express rewrites req.url; originalUrl keeps what the client asked for.
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const route = url.split('?')[0]!;
  const span = tracing.tracer.startSpan(
    `${req.method ?? 'GET'} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': route, 'url.path': route },
    },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  return span;
}
