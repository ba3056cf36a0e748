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
          ModelAttempt: '../store/index.js#LedgerAttempt',
          DescriptionConnection: '../graphql/historyConnection.js#HistoryConnectionParent',
          ImageInfo: '../store/index.js#RequestImageRecord',
          StoredImage: '../store/index.js#ImageRecord',
          UsageBucket: '../store/index.js#UsageBucket as UsageBucketRecord',
          Model: '../bedrock/index.js#CatalogModel',
          DescribeImageStreamEvent: '../graphql/streamEvent.js#StreamEventParent',
        },
        scalars: {
          DateTime: 'Date',
          Decimal: 'string',
          Upload: { input: "Promise<import('../images/index.js').UploadedFile>", output: 'never' },
        },
        enumsAsTypes: true,
        strictScalars: true,
        avoidOptionals: false,
      },
    },
    // The page's operations, typed for the JSDoc of its browser modules (checked by
    // `tsc -p src/web/assets`): results and variables as the browser sees them in JSON.
    'src/generated/webOperations.ts': {
      documents: 'src/web/assets/operations.js',
      plugins: ['typescript-operations'],
      config: {
        useTypeImports: true,
        enumType: 'string-literal',
        strictScalars: true,
        // A multipart upload's variable is null in the JSON; the file travels beside it.
        scalars: { DateTime: 'string', Decimal: 'string', Upload: 'null' },
      },
    },
  },
};

export default config;
