import { BedrockError } from '../bedrockError.js';
import fixture from './inferenceProfiles.json' with { type: 'json' };

const DEFAULT_PAGE = 1000;

/**
 * `GET /inference-profiles` (ListInferenceProfiles): the fixture's profiles, filtered by `type`
 * (`SYSTEM_DEFINED` or `APPLICATION`) and paged by `maxResults` (1 to 1000) and `nextToken`, as Bedrock pages
 * it, so a client that ignores `nextToken` misses profiles here too.
 */
export function answerListInferenceProfiles(query: URLSearchParams): unknown {
  const type = query.get('type');
  if (type !== null && type !== 'SYSTEM_DEFINED' && type !== 'APPLICATION') {
    throw new BedrockError(
      'ValidationException',
      `1 validation error detected: Value '${type}' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]`,
    );
  }
  const maxResults = query.get('maxResults') === null ? DEFAULT_PAGE : Number(query.get('maxResults'));
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
    throw new BedrockError('ValidationException', 'maxResults must be between 1 and 1000.');
  }
  const profiles = fixture.inferenceProfileSummaries.filter((p) => type === null || p.type === type);
  const token = query.get('nextToken');
  const start = token === null ? 0 : decodeToken(token);
  const page = profiles.slice(start, start + maxResults);
  const next = start + maxResults < profiles.length ? encodeToken(start + maxResults) : undefined;
  return { inferenceProfileSummaries: page, ...(next === undefined ? {} : { nextToken: next }) };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the refusal below, as Bedrock refuses a token it did not issue.
  }
  throw new BedrockError('ValidationException', 'The nextToken is not valid.');
}
