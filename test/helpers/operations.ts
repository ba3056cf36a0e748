/** Operations shared by several test files, written as a client would write them. */
export const DESCRIBE = /* GraphQL */ `
  mutation Describe($input: DescribeImageInput!) {
    describeImage(input: $input) {
      id
      status
      modelId
      api
      prompt
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
      createdAt
      completedAt
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

export const HISTORY = /* GraphQL */ `
  query History($filter: HistoryFilter, $first: Int, $after: String) {
    history(filter: $filter, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          status
          modelId
          prompt
          text
          createdAt
          error {
            code
            message
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

export const COUNT = /* GraphQL */ `
  {
    history {
      totalCount
    }
  }
`;
