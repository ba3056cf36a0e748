import type { IncomingMessage, ServerResponse } from 'node:http';
import ipaddr from 'ipaddr.js';
import type { AppMetrics } from './createMetrics.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Whether a client address is in one of the ranges. IPv4 clients of a dual-stack socket arrive as
 * `::ffff:a.b.c.d` and are matched as IPv4.
 */
export function createAddressFilter(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const ranges: Range[] = cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  return (address) => {
    if (address === undefined || !ipaddr.isValid(address)) return false;
    const client = ipaddr.process(address);
    return ranges.some(([range, bits]) => client.kind() === range.kind() && client.match(range, bits));
  };
}

/**
 * GET /metrics in Prometheus's text format, for clients whose address is allowed (METRICS_ALLOW);
 * others get 404, as if there were nothing there. The address is the socket's own: a
 * forwarded-for header is the client's word and is not trusted. (Admin API keys are the other way
 * in, once keys exist.)
 */
export function createMetricsHandler(
  metrics: AppMetrics,
  allow: readonly string[],
  /** The other way in: whether the request carries an admin API key (once keys exist). */
  isAdminRequest: (req: IncomingMessage) => Promise<boolean> = async () => false,
) {
  const allowed = createAddressFilter(allow);
  const render = (res: ServerResponse, next: (error?: unknown) => void) =>
    metrics.render().then((text) => {
      res.setHeader('content-type', metrics.contentType);
      res.setHeader('cache-control', 'no-store');
      res.end(text);
    }, next);
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (allowed(req.socket.remoteAddress)) {
      void render(res, next);
      return;
    }
    void isAdminRequest(req).then(
      (admin) => {
        if (admin) {
          void render(res, next);
          return;
        }
        res.statusCode = 404;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('Not found\n');
      },
      () => {
        res.statusCode = 404;
        res.end('Not found\n');
      },
    );
  };
}
