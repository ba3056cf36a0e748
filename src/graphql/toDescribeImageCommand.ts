import type { DescribeImageCommand } from '../describe/index.js';
import type { DescribeImageInput } from '../generated/graphql.js';

/**
 * The GraphQL input as the use case takes it: an explicit null means "not given", so it
 * becomes absent here, once, instead of every layer below handling both. The caller's key
 * comes with it: the row is written as that key's, against its budget.
 */
export function toDescribeImageCommand(input: DescribeImageInput, apiKeyId: string): DescribeImageCommand {
  return {
    ...(Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined)) as Omit<
      DescribeImageCommand,
      'apiKeyId'
    >),
    apiKeyId,
  };
}
