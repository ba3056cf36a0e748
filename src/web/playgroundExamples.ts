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

const DESCRIBE_SAMPLE = `# The seed's request: Claude 3 Sonnet through
# InvokeModel (the Anthropic Messages body) on
# the sample photo /sample/photo-board.jpg,
# here 360 px wide. Run it: ▶ or Ctrl-Enter.
mutation DescribeSamplePhoto($input: DescribeImageInput!) {
  describeImage(input: $input) {
    id
    status
    modelId
    api
    text
    stopReason
    usage {
      inputTokens
      outputTokens
      totalTokens
    }
    costUsd
    latencyMs
    images {
      sha256
      mediaType
      width
      height
      byteSize
    }
    error {
      code
      message
    }
  }
}
`;

const DESCRIBE_STREAM = `# The same request streamed: a subscription over
# graphql-ws (ws:// on this path) with the Converse
# API (ConverseStream). Events arrive as the model
# writes: text deltas, then the completed record.
subscription DescribeStream($input: DescribeImageInput!) {
  describeImageStream(input: $input) {
    delta
    description {
      id
      status
      modelId
      api
      text
      stopReason
      usage {
        inputTokens
        outputTokens
        totalTokens
      }
      costUsd
      latencyMs
      error {
        code
        message
      }
    }
  }
}
`;

/** History with filters and paging (also Apollo Sandbox's opening operation). */
export const HISTORY_EXAMPLE = `# The ledger as a Relay connection. Filters
# combine with AND; orderBy field: CREATED_AT,
# COST, TOTAL_TOKENS or LATENCY. Next page:
# pass pageInfo.endCursor as "after".
query History($filter: HistoryFilter, $orderBy: HistoryOrder, $first: Int, $after: String) {
  history(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        id
        createdAt
        status
        modelId
        prompt
        text
        usage {
          totalTokens
        }
        costUsd
        latencyMs
        error {
          code
          message
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const USAGE_SUMMARY = `# Requests, tokens, cost and latency over the
# history filter, grouped by MODEL, DAY, HOUR,
# STATUS or API.
query UsageSummary($filter: HistoryFilter, $groupBy: [UsageGroupBy!]!, $timeZone: String) {
  usageSummary(filter: $filter, groupBy: $groupBy, timeZone: $timeZone) {
    model
    day
    requests
    inputTokens
    outputTokens
    totalTokens
    costUsd
    latencyP50Ms
    latencyP95Ms
  }
}
`;

const RECORD = `# One request in full: paste an id from History.
query Record($id: ID!) {
  description(id: $id) {
    id
    status
    createdAt
    completedAt
    modelId
    api
    prompt
    system
    maxTokens
    text
    stopReason
    usage {
      inputTokens
      outputTokens
      totalTokens
    }
    costUsd
    latencyMs
    modelLatencyMs
    bedrockRequestId
    images {
      sha256
      mediaType
      width
      height
      byteSize
      source
      original {
        mediaType
        width
        height
        byteSize
      }
    }
    error {
      code
      message
    }
  }
}
`;

const MODELS = `# The vision models and their on-demand prices
# (USD per million tokens).
query Models {
  models {
    id
    name
    provider
    inputUsdPerMillion
    outputUsdPerMillion
    lifecycle
  }
}
`;

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * The tabs the playground opens with: the seed's request on the sample photo (as a mutation,
 * then streamed as a subscription through the Converse API), history with
 * filters and paging, a usage summary, one record, and the model catalog. `sampleBase64` is the small sample
 * photo; it comes last in the variables so the readable fields are seen first.
 */
export function playgroundTabs(sampleBase64: string): PlaygroundTab[] {
  const tab = (query: string, variables?: unknown): PlaygroundTab => ({
    query,
    ...(variables === undefined ? {} : { variables: json(variables) }),
    headers: EXAMPLE_HEADERS,
  });
  const seedInput = (api: 'INVOKE_MODEL' | 'CONVERSE') => ({
    input: { prompt: DEFAULT_PROMPT, modelId: SEED_MODEL_ID, api, maxTokens: 1000, image: { base64: sampleBase64 } },
  });
  return [
    tab(DESCRIBE_SAMPLE, seedInput('INVOKE_MODEL')),
    tab(DESCRIBE_STREAM, seedInput('CONVERSE')),
    tab(HISTORY_EXAMPLE, {
      filter: { status: ['SUCCEEDED'], search: 'image', createdAfter: '2024-01-01T00:00:00Z' },
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
      first: 10,
      after: null,
    }),
    tab(USAGE_SUMMARY, { filter: {}, groupBy: ['MODEL', 'DAY'], timeZone: 'UTC' }),
    tab(RECORD, { id: '' }),
    tab(MODELS),
  ];
}
