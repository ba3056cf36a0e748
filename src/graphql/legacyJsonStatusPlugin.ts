import type { ApolloServerPlugin } from '@apollo/server';

/** Request errors: the operation never ran, so the response has `errors` and no `data`. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * GraphQL over HTTP answers a request error (a document that does not parse or validate,
 * variables that do not coerce, an operation the request does not identify) with 200 when the response is `application/json`, the
 * legacy media type whose clients read errors from the body, and with 4xx only for
 * `application/graphql-response+json`. Apollo Server answers 400 for both; this plugin
 * restores the spec's status for `application/json` (an absent Accept header counts as it).
 */
export const legacyJsonStatusPlugin: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    return {
      async willSendResponse({ response }) {
        if (response.http.status !== 400 || response.body.kind !== 'single') return;
        const { singleResult } = response.body;
        if ('data' in singleResult && singleResult.data !== undefined) return;
        const errors = singleResult.errors ?? [];
        if (errors.length === 0 || !errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) return;
        if (prefersLegacyJson(request.http?.headers.get('accept'))) response.http.status = 200;
      },
    };
  },
};

const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

/**
 * Whether content negotiation picks `application/json` over `application/graphql-response+json`,
 * as Apollo Server does for the response's content type: the most specific matching range gives
 * a type's quality, and a tie goes to `application/json`.
 */
export function prefersLegacyJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...parameters] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = parameters.find((p) => p.startsWith('q='));
    return { range, q: q === undefined ? 1 : Number(q.slice(2)) || 0 };
  });
  const quality = (type: string) => {
    const exact = ranges.find((r) => r.range === type);
    const sub = ranges.find((r) => r.range === `${type.split('/')[0]}/*`);
    const any = ranges.find((r) => r.range === '*/*');
    return (exact ?? sub ?? any)?.q ?? 0;
  };
  const json = quality(JSON_TYPE);
  return json > 0 && json >= quality(GRAPHQL_RESPONSE_TYPE);
}
