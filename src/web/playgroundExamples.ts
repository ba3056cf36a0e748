import type { PageOperations } from './pageOperations.js';

/** One GraphiQL tab, as GraphiQL 4's `defaultTabs` prop takes it. */
export interface PlaygroundTab {
  readonly query: string;
  readonly variables?: string;
  readonly headers?: string;
}

/** The seed article's model and API, kept as the first example because that request must keep working. */
export const SEED_MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';
export const DEFAULT_PROMPT = 'What is in this image?';

/** Prefilled in every tab; GraphiQL does not persist headers unless asked, so a key is never stored. */
export const EXAMPLE_HEADERS = JSON.stringify({ Authorization: 'Bearer <your key>' }, null, 2);

/**
 * An operation's text as a tab shows it: `comment` (what to try) above it, and the page's own
 * indentation, which fits the module it is written in, taken off.
 */
function exampleText(comment: string, operation: string): string {
  const lines = operation.split('\n').map((line) => line.trimEnd());
  const indent = Math.min(...lines.filter((l) => l !== '').map((l) => l.length - l.trimStart().length));
  const body = lines
    .map((line) => line.slice(indent))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return `${comment
    .trim()
    .split('\n')
    .map((line) => `# ${line.trim()}`.trimEnd())
    .join('\n')}\n${body}\n`;
}

/** History with filters, ordering and paging (also Apollo Sandbox's opening operation). */
export function historyExample(operations: PageOperations): string {
  return exampleText(
    `The ledger as a Relay connection. Filters
    combine with AND; orderBy field: CREATED_AT,
    COST, TOTAL_TOKENS or LATENCY. Next page:
    pass pageInfo.endCursor as "after".`,
    operations.HISTORY,
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The tabs the playground opens with, each an operation of the page (so the playground runs what
 * the page sends): the seed's request on the sample photo (as a mutation, then streamed as a
 * subscription through the Converse API), history with filters and paging, the dashboard's usage
 * summaries, one record, and the model catalog with the server's settings. `sampleBase64` is the
 * small sample photo; it comes last in the variables so the readable fields are seen first.
 */
export function playgroundTabs(operations: PageOperations, sampleBase64: string): PlaygroundTab[] {
  const tab = (query: string, variables?: unknown): PlaygroundTab => ({
    query,
    ...(variables === undefined ? {} : { variables: json(variables) }),
    headers: EXAMPLE_HEADERS,
  });
  const seedInput = (api: 'INVOKE_MODEL' | 'CONVERSE') => ({
    input: { prompt: DEFAULT_PROMPT, modelId: SEED_MODEL_ID, api, maxTokens: 1000, image: { base64: sampleBase64 } },
  });
  return [
    tab(
      exampleText(
        `The seed's request: Claude 3 Sonnet through
        InvokeModel (the Anthropic Messages body) on
        the sample photo /sample/photo-board.jpg,
        here 360 px wide. Run it: ▶ or Ctrl-Enter.`,
        operations.DESCRIBE,
      ),
      seedInput('INVOKE_MODEL'),
    ),
    tab(
      exampleText(
        `The same request streamed: a subscription over
        graphql-ws (ws:// on this path) with the Converse
        API (ConverseStream). Events arrive as the model
        writes: text deltas, then the completed record.`,
        operations.DESCRIBE_STREAM,
      ),
      seedInput('CONVERSE'),
    ),
    tab(historyExample(operations), {
      filter: { status: ['SUCCEEDED'], search: 'image', createdAfter: '2024-01-01T00:00:00Z' },
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
      first: 10,
      after: null,
    }),
    tab(
      exampleText(
        `Requests, tokens, cost and latency over the
        history filter, four ways in one round trip
        (aliases): by DAY and MODEL, by DAY and STATUS,
        by DAY, and overall. Also: HOUR, API. Days are
        cut in timeZone.`,
        operations.DASHBOARD,
      ),
      { filter: {}, timeZone: 'UTC' },
    ),
    tab(exampleText('One request in full: paste an id from History.', operations.RECORD), { id: '' }),
    tab(
      exampleText(
        `The vision models, their on-demand prices
        (USD per million tokens) and lifecycle, and
        the server's default model and image limits.`,
        operations.PAGE_SETUP,
      ),
    ),
  ];
}
