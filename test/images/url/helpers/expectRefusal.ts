import { expect } from 'vitest';
import { AppError } from '../../../../src/errors.js';

/** Awaits a fetch that must fail and returns the AppError, failing the test otherwise. */
export async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a refusal, got a result'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
