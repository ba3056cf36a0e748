import { isEndOfLife, modelUnavailableMessage } from './modelAvailability.js';
import type { ModelCatalog } from './modelCatalog.js';

/** Why Bedrock refused a model; each needs a different fix, so each gets its own message. */
export type ModelRefusal = 'END_OF_LIFE' | 'ACCESS_DENIED' | 'NOT_FOUND';

// Bedrock words each refusal in several ways, depending on API and age.
const END_OF_LIFE = /end of (its )?life|legacy|no longer (available|supported)/i;
const ACCESS_DENIED = /access to the model|not authorized|don.t have access/i;
const NOT_FOUND =
  /model identifier is invalid|model.*not (found|supported|available)|isn.t supported|inference profile/i;

/**
 * Reads a refusal from the error Bedrock sent, not from the catalog: a retired model can also be one the account may
 * not use, and saying "end of life" then sends the reader to the wrong fix. `undefined` when the error is not about
 * the model (e.g. a malformed body).
 */
export function classifyModelRefusal(name: string, message: string): ModelRefusal | undefined {
  const aboutTheModel =
    name === 'ResourceNotFoundException' || name === 'ValidationException' || name === 'AccessDeniedException';
  if (aboutTheModel && END_OF_LIFE.test(message)) return 'END_OF_LIFE';
  if (name === 'AccessDeniedException') return /model/i.test(message) ? 'ACCESS_DENIED' : undefined;
  if (name === 'ResourceNotFoundException') return 'NOT_FOUND';
  if (name === 'ValidationException') {
    if (ACCESS_DENIED.test(message)) return 'ACCESS_DENIED';
    if (NOT_FOUND.test(message)) return 'NOT_FOUND';
  }
  return undefined;
}

/** What happened and what to do about it, naming current models of `catalog` to pick instead. */
export function modelRefusalMessage(refusal: ModelRefusal, modelId: string, catalog: ModelCatalog): string {
  const names = catalog
    .current()
    .map((m) => `${m.name} (${m.id})`)
    .join(', ');
  switch (refusal) {
    case 'END_OF_LIFE': {
      const known = catalog.find(modelId);
      if (known !== undefined && isEndOfLife(known)) return modelUnavailableMessage(modelId, catalog);
      return `Bedrock says model ${modelId} reached its end of life. Pick a current vision model enabled for your account, e.g. ${names}.`;
    }
    case 'ACCESS_DENIED':
      return (
        `Bedrock denied this AWS account access to model ${modelId}. Request access to it in the Bedrock console ` +
        '(Model access), check that the IAM policy allows bedrock:InvokeModel on it (for an inference profile, on ' +
        `the profile and its models), or pick a model enabled for your account, e.g. ${names}.`
      );
    case 'NOT_FOUND':
      return (
        `Bedrock does not know model ${modelId} in this region. Check the id and the region, use an inference profile ` +
        `id (us., eu., global. …) for a model that needs one, or pick a current vision model, e.g. ${names}.`
      );
    default: {
      const unreachable: never = refusal;
      return unreachable;
    }
  }
}
