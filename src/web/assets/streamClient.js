// @ts-check
// The page's streaming client: one GraphQL subscription over graphql-ws, the npm package's own
// browser client (the server serves it as a hashed module and rewrites this import to its URL).
// One client per subscription, so the socket carries the API key current when it opens.
import { createClient } from 'graphql-ws/client';

/**
 * The socket never got the server's connection_ack, so no operation was sent and nothing was
 * recorded: the caller may send the request over HTTP instead.
 */
export class NotConnectedError extends Error {}

/** The server refused or failed the operation; `errors` are GraphQL errors with `extensions.code`. */
export class SubscriptionError extends Error {
  /** @param {readonly { message: string, extensions?: Record<string, unknown> }[]} errors */
  constructor(errors) {
    super(errors[0]?.message ?? 'The subscription failed');
    this.errors = errors;
  }
}

/** The connection closed after the operation had started, before its end. */
export class ConnectionLostError extends Error {
  /** @param {number} code the WebSocket close code */
  constructor(code) {
    super(`The connection closed before the answer ended (WebSocket close code ${code}).`);
    this.closeCode = code;
  }
}

/**
 * Runs one subscription. `done` resolves with 'completed' when the server ends it or
 * 'cancelled' after `cancel()` (which sends graphql-ws `complete`, so the server stops the
 * work), and rejects with one of the errors above.
 * @param {{
 *   url: string,
 *   query: string,
 *   variables: Record<string, unknown>,
 *   connectionParams: () => Record<string, unknown> | undefined,
 *   onData: (data: any) => void,
 *   connectTimeoutMs?: number,
 * }} options
 * @returns {{ done: Promise<'completed' | 'cancelled'>, cancel: () => void }}
 */
export function subscribe(options) {
  let connected = false;
  let settled = false;
  /** @type {(outcome: 'completed' | 'cancelled' | Error) => void} */
  let finish = () => {};
  /** @type {Promise<'completed' | 'cancelled'>} */
  const done = new Promise((resolve, reject) => {
    finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      // Sends graphql-ws `complete` if the operation is still running; then nothing is
      // retried or subscribed again.
      unsubscribe();
      void Promise.resolve(client.dispose()).catch(() => {});
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
  });

  const client = createClient({
    url: options.url,
    connectionParams: options.connectionParams,
    lazy: true,
    // No retries: a retried subscription would be a second model call.
    retryAttempts: 0,
    on: {
      connected: () => {
        connected = true;
        clearTimeout(connectTimer);
      },
      // Runs before graphql-ws decides what the close means (after a normal closure of a
      // live subscription it would connect and subscribe again).
      closed: (event) => {
        const code = /** @type {{ code?: number }} */ (event).code ?? 1006;
        finish(connected ? new ConnectionLostError(code) : new NotConnectedError(`WebSocket closed (${code})`));
      },
    },
  });
  const unsubscribe = client.subscribe(
    { query: options.query, variables: options.variables },
    {
      next: (result) => {
        if (result.errors?.length) finish(new SubscriptionError(result.errors));
        else if (!settled && result.data) options.onData(result.data);
      },
      error: (error) => {
        if (Array.isArray(error)) finish(new SubscriptionError(error));
        else if (!connected) finish(new NotConnectedError(String(error)));
        else finish(new ConnectionLostError(/** @type {{ code?: number }} */ (error)?.code ?? 1006));
      },
      complete: () => finish('completed'),
    },
  );
  // A socket that neither opens nor fails (a proxy holding the upgrade) must not hang the page.
  const connectTimer = setTimeout(() => {
    if (!connected) finish(new NotConnectedError('The WebSocket did not open in time'));
  }, options.connectTimeoutMs ?? 5000);

  return { done, cancel: () => finish('cancelled') };
}
