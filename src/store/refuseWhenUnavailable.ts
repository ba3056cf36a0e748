import { AppError } from '../errors.js';
import { isDatabaseUnavailable } from './isDatabaseUnavailable.js';

/** How long a client is told to wait after the database could not be reached: a blip, or a failover. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

function unavailable(cause: unknown): AppError {
  return new AppError('SERVICE_UNAVAILABLE', 'The ledger database cannot be reached right now; retry shortly', {
    cause,
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}

const mapError = (error: unknown): never => {
  throw isDatabaseUnavailable(error) ? unavailable(error) : error;
};

async function* mapIterationErrors<T>(iterator: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* iterator;
  } catch (error) {
    mapError(error);
  }
}

/**
 * Wraps every method of a repository so that a database that cannot be reached (refused,
 * reset, timed out, or no pooled connection within DATABASE_CONNECT_TIMEOUT_MS) surfaces as
 * SERVICE_UNAVAILABLE with Retry-After: a retryable refusal, not INTERNAL_SERVER_ERROR.
 * Async iterators (the export) are wrapped too. Other errors pass unchanged.
 */
export function refuseWhenUnavailable<T extends object>(target: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
      if (result instanceof Promise) return result.catch(mapError);
      if (result !== null && typeof result === 'object' && Symbol.asyncIterator in result) {
        return mapIterationErrors(result as AsyncIterable<unknown>);
      }
      return result;
    };
  }
  return wrapped as T;
}
