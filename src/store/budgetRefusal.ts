import { AppError } from '../errors.js';

/** The SQLSTATE bvg_refuse raises (see the api_keys migration). */
const REFUSED = 'BVG01';

/**
 * The write-ahead statement's refusal (see budgetSql) as the error a client gets, or
 * undefined for any other error. A budget refusal says when the budget's UTC day or
 * month starts again; a key revoked while its request was on the way is unauthenticated;
 * a budgeted key's request for a model without prices is forbidden.
 */
export function budgetRefusal(error: unknown, createdAt: Date): AppError | undefined {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== REFUSED) return undefined;
  const reason = (error as { message?: unknown }).message;
  if (reason === 'revoked') return new AppError('UNAUTHENTICATED', 'The API key was revoked');
  if (reason === 'unpriced') {
    return new AppError(
      'FORBIDDEN',
      'This key has a USD budget, and the model catalog has no price for this model, so its cost cannot be reserved: use a model the catalog prices, or a key without a budget',
    );
  }
  const daily = reason === 'daily';
  const resetsAt = daily
    ? Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate() + 1)
    : Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth() + 1, 1);
  return new AppError(
    'BUDGET_EXCEEDED',
    `The request's estimated cost does not fit in what is left of this key's ${daily ? 'daily' : 'monthly'} budget`,
    { retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - createdAt.getTime()) / 1000)) },
  );
}
