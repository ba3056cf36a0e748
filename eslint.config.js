// @ts-check
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const AWS_SDK = {
  group: ['@aws-sdk/*', '@smithy/*'],
  allowTypeImports: true,
  message: 'Only src/bedrock imports the AWS SDK.',
};
const OUTER_LAYERS = {
  group: ['**/graphql/**', '**/describe/**', '**/server.js', '**/startApp.js'],
  message: 'Dependencies point one way: graphql → describe → {images, bedrock, store}.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', 'data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.check.json' })] },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Only config.ts reads the environment; everything else receives a frozen config.
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in src/config.ts.' },
      ],
    },
  },
  {
    // Only src/bedrock imports the AWS SDK (the emulator serves it, in tests it is the client).
    files: ['src/**/*.ts'],
    ignores: ['src/bedrock/**', 'src/emulator/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AWS_SDK] }] },
  },
  {
    // Dependencies point one way: graphql → describe → {images, bedrock, store}.
    files: ['src/describe/**/*.ts', 'src/images/**/*.ts', 'src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [AWS_SDK, OUTER_LAYERS] }] },
  },
  {
    files: ['src/bedrock/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTER_LAYERS] }] },
  },
  {
    // History is read through GraphQL and the HTTP export alike, so it knows neither transport.
    files: ['src/history/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            AWS_SDK,
            {
              group: ['**/graphql/**', '**/http/**', '**/server.js', '**/startApp.js', 'graphql'],
              message: 'src/history is transport-neutral: GraphQL and HTTP call it, never the reverse.',
            },
          ],
        },
      ],
    },
  },
);
