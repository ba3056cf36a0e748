import type { ExecutionArgs } from 'graphql';
import type { Ticket } from './createAdmission.js';

type Run<T> = (args: ExecutionArgs) => T;

/**
 * graphql's `execute` or `subscribe`, holding the operation's admission ticket for as long as the
 * operation runs: until its result is out, or its stream has ended or been returned. The socket's
 * life is not the operation's: a mutation keeps running (and billing) after its socket closed or
 * after the client sent `complete`, so releasing on either would free capacity that is still in use.
 */
export function holdTicketWhileRunning<T>(run: Run<T>, ticketOf: (args: ExecutionArgs) => Ticket | undefined): Run<T> {
  return (args) => {
    const ticket = ticketOf(args);
    if (ticket === undefined) return run(args);
    let result: unknown;
    try {
      result = run(args);
    } catch (error) {
      ticket.release();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (resolved: unknown) => holdUntilEnd(resolved, ticket),
        (error: unknown) => {
          ticket.release();
          throw error;
        },
      ) as T;
    }
    return holdUntilEnd(result, ticket) as T;
  };
}

/** A result is released at once; a stream when it reports done, fails, or is returned or thrown into. */
function holdUntilEnd(result: unknown, ticket: Ticket): unknown {
  if (result === null || typeof result !== 'object' || !(Symbol.asyncIterator in result)) {
    ticket.release();
    return result;
  }
  const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const settle = (step: Promise<IteratorResult<unknown>>) =>
    step.then(
      (value) => {
        if (value.done === true) ticket.release();
        return value;
      },
      (error: unknown) => {
        ticket.release();
        throw error;
      },
    );
  // A plain iterator, not an async generator: graphql-ws calls `return` while a `next` is still
  // waiting on the model, and a generator would queue that call behind it instead of cancelling.
  const held: AsyncIterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => settle(iterator.next(...args)),
    return: (value?: unknown) => settle(iterator.return?.(value) ?? Promise.resolve({ done: true as const, value })),
    throw: (error?: unknown) => settle(iterator.throw?.(error) ?? Promise.reject(error)),
    [Symbol.asyncIterator]: () => held,
  };
  return held;
}
