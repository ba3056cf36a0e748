import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { OPERATION_LIMITS, loadTypeDefs, operationRules, parseAndValidate } from '../../src/graphql/index.js';

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs() });
const production = operationRules({ production: true });
const development = operationRules({ production: false });

const codes = (query: string, rules = production) =>
  (parseAndValidate(schema, query, rules).errors ?? []).map((e) => [e.extensions.code, e.message]);

const DESCRIBE = 'describeImage(input: $input) { id }';

describe('operation rules in production', () => {
  it('refuses two billable calls in one operation, however they are spelled', () => {
    for (const query of [
      `mutation($input: DescribeImageInput!) { a: ${DESCRIBE} b: ${DESCRIBE} }`,
      `mutation($input: DescribeImageInput!) { a: ${DESCRIBE} ... on Mutation { b: ${DESCRIBE} } }`,
      `mutation($input: DescribeImageInput!) { ...A ...B } fragment A on Mutation { a: ${DESCRIBE} } fragment B on Mutation { b: ${DESCRIBE} }`,
    ]) {
      const errors = parseAndValidate(schema, query, production).errors ?? [];
      expect(errors.map((e) => e.message)).toContain(
        'At most 1 describeImage or describeImageStream call per operation; this one has 2',
      );
    }
  });

  it('runs one billable call, also when spread twice from the same fragment (execution merges it)', () => {
    expect(codes(`mutation($input: DescribeImageInput!) { ${DESCRIBE} }`)).toEqual([]);
    expect(
      codes(
        `mutation($input: DescribeImageInput!) { ...A ...A deleteDescription(id: "x") } fragment A on Mutation { ${DESCRIBE} }`,
      ),
    ).toEqual([]);
  });

  it('allows aliased calls in development, where they are not billed to strangers', () => {
    expect(codes(`mutation($input: DescribeImageInput!) { a: ${DESCRIBE} b: ${DESCRIBE} }`, development)).toEqual([]);
  });

  it('refuses introspection in production, over every door that uses these rules', () => {
    expect(codes('{ __schema { types { name } } }')[0]?.[0]).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codes('{ __schema { types { name } } }', development)).toEqual([]);
  });

  it('refuses a document over the byte limit before parsing it, whatever it is made of', () => {
    const whitespace = `{ __typename ${' '.repeat(OPERATION_LIMITS.maxDocumentBytes)}}`;
    expect(codes(whitespace, development)).toEqual([
      [
        'GRAPHQL_PARSE_FAILED',
        `The GraphQL document is larger than ${OPERATION_LIMITS.maxDocumentBytes} bytes; send images as variables or uploads`,
      ],
    ]);
    // Counted in UTF-8 bytes: 400 000 three-byte characters are 1.2 MB though only 400 000 UTF-16 units.
    expect(codes(`{ __typename } # ${'\u20ac'.repeat(400_000)}`, development)[0]?.[0]).toBe('GRAPHQL_PARSE_FAILED');
    expect(codes(`{ __typename } # ${'x'.repeat(400_000)}`, development)).toEqual([]);
  });
});
