import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types generated from schema.graphql; the store's records are the parents
// (mappers), so resolvers are type-checked against what the ledger really returns.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../graphql/GraphQLContext.js#GraphQLContext',
        mappers: {
          Description: '../store/index.js#DescriptionRecord',
          DescriptionConnection: '../graphql/historyConnection.js#HistoryConnectionParent',
        },
        scalars: { DateTime: 'Date', Decimal: 'string' },
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: false,
      },
    },
  },
};

export default config;
