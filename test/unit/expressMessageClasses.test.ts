import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { expressMessageClasses } from '../../src/http/expressMessageClasses.js';

describe("Node's request and response made with Express's prototypes", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('gives Express objects whose prototypes it need not change, and Express serves them as usual', async () => {
    const app = express();
    app.use(express.json());
    const seen: { request: object | null; response: object | null }[] = [];
    app.post('/echo', (req, res) => {
      res.set('x-seen', req.get('x-sent') ?? '').json({ query: req.query, body: req.body as unknown });
    });
    server = createServer(expressMessageClasses(app), app);
    // Before Express runs, as Node hands the objects over.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push({ request: Object.getPrototypeOf(req) as object, response: Object.getPrototypeOf(res) as object });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const response = await fetch(`http://127.0.0.1:${port}/echo?a=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sent': 'yes' },
      body: JSON.stringify({ b: 2 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-seen')).toBe('yes');
    expect(await response.json()).toEqual({ query: { a: '1' }, body: { b: 2 } });
    // The very objects Express would set: its setPrototypeOf is then a no-op.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.request).toBe(app.request);
    expect(seen[0]!.response).toBe(app.response);
  });

  it("makes Node's own objects underneath, and not Node's defaults (which a later Node's classes would force)", () => {
    const app = express();
    const made = expressMessageClasses(app);
    expect(made.IncomingMessage).toBeDefined();
    expect(made.ServerResponse).toBeDefined();
    const request = new made.IncomingMessage!(null as never);
    expect(request).toBeInstanceOf(IncomingMessage);
    expect(new made.ServerResponse!(request)).toBeInstanceOf(ServerResponse);
  });
});
