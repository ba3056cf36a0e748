import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** Events received so far. */
  readonly events: T[];
  /** Resolves when the server completes the subscription; rejects with its errors. */
  readonly done: Promise<T[]>;
  /** Resolves once at least `n` events have arrived. */
  waitFor(n: number): Promise<void>;
  /** Unsubscribes (the client sends `complete`), as a user closing the page would. */
  cancel(): void;
}

/** A real graphql-ws client over a real WebSocket, as browsers and apps use it. */
export function wsClient(httpUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams,
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const events: T[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let cancel = () => {};
  const done = new Promise<T[]>((resolve, reject) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) {
            reject(Object.assign(new Error(result.errors[0]!.message), { errors: result.errors }));
            return;
          }
          events.push(result.data as T);
          for (const w of waiters.filter((w) => events.length >= w.n)) w.resolve();
        },
        // graphql-ws delivers a failed operation as an array of GraphQL errors.
        error: (error) =>
          reject(Array.isArray(error) ? Object.assign(new Error(String(error[0]?.message)), { errors: error }) : error),
        complete: () => resolve(events),
      },
    );
  });
  return {
    events,
    done,
    waitFor: (n) => (events.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    cancel: () => cancel(),
  };
}
