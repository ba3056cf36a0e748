// @ts-check
// Every GraphQL operation the page sends, and nothing else: `npm run generate` types them from
// schema.graphql (src/generated/webOperations.ts, through graphql-codegen reading the
// `/* GraphQL */` strings below), and test/web/pageOperations.test.ts validates each against
// the schema and the server's operation limits. A field the schema drops fails both.

/** @import * as Ops from '../../generated/webOperations.js' */

/**
 * An operation's text, branded with its result and variables types so `graphql()` (api.js)
 * checks the variables a caller passes and types what it gets back. The brand exists only for
 * the type checker: at run time an Operation is the plain string.
 * @template R, V
 * @typedef {string & { readonly __operation?: (variables: V) => R }} Operation
 */

/**
 * Brands an operation's text with the types named in the `@type` annotation of the constant it
 * is assigned to.
 * @template R, V
 * @param {string} text
 * @returns {Operation<R, V>}
 */
const operation = (text) => text;

// Everything the result and the record dialog show; the subscription sends it in its last event.
const DESCRIPTION_FIELDS = /* GraphQL */ `
  fragment DescriptionFields on Description {
    id
    status
    createdAt
    completedAt
    modelId
    api
    prompt
    system
    maxTokens
    temperature
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
    clientRequestId
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
`;

/** @type {Operation<Ops.DescribeMutation, Ops.DescribeMutationVariables>} */
export const DESCRIBE = operation(/* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      ...DescriptionFields
    }
  }
  ${DESCRIPTION_FIELDS}
`);

// The row id is not sent before the last event: after Stop, the row is found by clientRequestId.
/** @type {Operation<Ops.DescribeStreamSubscription, Ops.DescribeStreamSubscriptionVariables>} */
export const DESCRIBE_STREAM = operation(/* GraphQL */ `
  subscription DescribeStream($input: DescribeImageInput!) {
    describeImageStream(input: $input) {
      delta
      description {
        ...DescriptionFields
      }
    }
  }
  ${DESCRIPTION_FIELDS}
`);

/** @type {Operation<Ops.ByClientRequestIdQuery, Ops.ByClientRequestIdQueryVariables>} */
export const BY_CLIENT_REQUEST_ID = operation(/* GraphQL */ `
  query ByClientRequestId($id: String!) {
    history(filter: { clientRequestId: $id }, first: 1) {
      edges {
        node {
          ...DescriptionFields
        }
      }
    }
  }
  ${DESCRIPTION_FIELDS}
`);

/** @type {Operation<Ops.RecordQuery, Ops.RecordQueryVariables>} */
export const RECORD = operation(/* GraphQL */ `
  query Record($id: ID!) {
    description(id: $id) {
      ...DescriptionFields
    }
  }
  ${DESCRIPTION_FIELDS}
`);

/** @type {Operation<Ops.ImageStoredQuery, Ops.ImageStoredQueryVariables>} */
export const IMAGE_STORED = operation(/* GraphQL */ `
  query ImageStored($sha256: String!) {
    image(sha256: $sha256) {
      bytesStored
    }
  }
`);

// The page keeps the server's order (newest first); orderBy is there for the playground, whose
// History tab is this operation.
/** @type {Operation<Ops.HistoryQuery, Ops.HistoryQueryVariables>} */
export const HISTORY = operation(/* GraphQL */ `
  query History($filter: HistoryFilter, $orderBy: HistoryOrder, $first: Int, $after: String) {
    history(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          createdAt
          status
          modelId
          prompt
          text
          costUsd
          latencyMs
          usage {
            inputTokens
            outputTokens
            totalTokens
          }
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
`);

/** @type {Operation<Ops.SummaryQuery, Ops.SummaryQueryVariables>} */
export const SUMMARY = operation(/* GraphQL */ `
  query Summary($filter: HistoryFilter) {
    usageSummary(filter: $filter) {
      requests
      totalTokens
      costUsd
      latencyP50Ms
    }
  }
`);

/**
 * The page's start: the catalog (names, prices, lifecycle, output-token limits) and the
 * server's default model and image limits, so nothing the server decides is restated here.
 * @type {Operation<Ops.PageSetupQuery, Ops.PageSetupQueryVariables>}
 */
export const PAGE_SETUP = operation(/* GraphQL */ `
  query PageSetup {
    models {
      id
      name
      provider
      inputUsdPerMillion
      outputUsdPerMillion
      lifecycle
      endOfLifeDate
      successor
      maxOutputTokens
    }
    settings {
      defaultModelId
      imageMaxBytes
      uploadMaxBytes
    }
  }
`);

/**
 * The dashboard over a range, in one round trip: days by model (cost, tokens), days by
 * status (requests), days alone (latency percentiles) and the whole range (percentiles do not
 * add up, so the range's own are asked for). Days are cut in `timeZone`, the viewer's own.
 * @type {Operation<Ops.DashboardQuery, Ops.DashboardQueryVariables>}
 */
export const DASHBOARD = operation(/* GraphQL */ `
  query Dashboard($filter: HistoryFilter, $timeZone: String) {
    byModel: usageSummary(filter: $filter, groupBy: [DAY, MODEL], timeZone: $timeZone) {
      day
      model
      requests
      inputTokens
      outputTokens
      costUsd
    }
    byStatus: usageSummary(filter: $filter, groupBy: [DAY, STATUS], timeZone: $timeZone) {
      day
      status
      requests
    }
    byDay: usageSummary(filter: $filter, groupBy: [DAY], timeZone: $timeZone) {
      day
      requests
      latencyP50Ms
      latencyP95Ms
    }
    overall: usageSummary(filter: $filter, timeZone: $timeZone) {
      requests
      inputTokens
      outputTokens
      costUsd
      latencyP50Ms
      latencyP95Ms
    }
  }
`);
