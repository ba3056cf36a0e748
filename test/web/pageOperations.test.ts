import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildSchema,
  getVariableValues,
  Kind,
  parse,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs, OPERATION_LIMIT_RULES, OPERATION_PARSE_OPTIONS } from '../../src/graphql/index.js';
import { loadPageOperations } from '../../src/web/pageOperations.js';
import { historyExample, playgroundTabs } from '../../src/web/playgroundExamples.js';

const ASSETS = fileURLToPath(new URL('../../src/web/assets/', import.meta.url));
const schema = buildSchema(loadTypeDefs());

/** Parses and validates as the server does (graphql-js's rules and the operation limits); the errors' messages. */
function validationErrors(text: string): string[] {
  let document: DocumentNode;
  try {
    document = parse(text, OPERATION_PARSE_OPTIONS);
  } catch (error) {
    return [String(error)];
  }
  return validate(schema, document, [...specifiedRules, ...OPERATION_LIMIT_RULES]).map((e) => e.message);
}

function operationOf(text: string): OperationDefinitionNode {
  const operation = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operation === undefined) throw new Error(`No operation in ${text}`);
  return operation;
}

/** The page's operations module, as the browser gets it: every export is an operation's text. */
async function pageOperations(): Promise<Record<string, string>> {
  // A path in a variable: the module is browser JavaScript, imported for its strings only.
  const path = pathToFileURL(join(ASSETS, 'operations.js')).href;
  return (await import(path)) as Record<string, string>;
}

describe("The page's and the playground's operations", () => {
  it('are all valid against schema.graphql and within the operation limits, page first', async () => {
    const operations = await pageOperations();
    expect(Object.keys(operations).length).toBeGreaterThan(0);
    for (const [name, text] of Object.entries(operations)) {
      expect(typeof text, name).toBe('string');
      expect(validationErrors(text), name).toEqual([]);
    }
  });

  it('cover every request the page makes: its other modules hold no GraphQL of their own', async () => {
    const names = Object.values(await pageOperations()).map((text) => operationOf(text).name?.value);
    expect(names.sort()).toEqual(
      [
        'ByClientRequestId',
        'Dashboard',
        'Describe',
        'DescribeStream',
        'History',
        'ImageStored',
        'PageSetup',
        'Record',
        'Summary',
      ].sort(),
    );
    const operationText = /\b(?:query|mutation|subscription)\s+[A-Z]\w*\s*[({]|`\s*\{\s*\w+\s*[({]/;
    for (const file of readdirSync(ASSETS).filter((f) => f.endsWith('.js') && f !== 'operations.js')) {
      expect(readFileSync(join(ASSETS, file), 'utf8'), file).not.toMatch(operationText);
    }
  });

  it("are the playground's tabs valid, with variables that coerce to the operations' variable types", () => {
    const tabs = playgroundTabs(loadPageOperations(), 'iVBORw0KGgo=');
    expect(tabs.length).toBeGreaterThan(0);
    for (const tab of tabs) {
      const name = operationOf(tab.query).name?.value ?? tab.query.slice(0, 40);
      expect(validationErrors(tab.query), name).toEqual([]);
      const variables = tab.variables === undefined ? {} : (JSON.parse(tab.variables) as Record<string, unknown>);
      const coerced = getVariableValues(schema, operationOf(tab.query).variableDefinitions ?? [], variables);
      expect(coerced.errors?.map((e) => e.message) ?? [], name).toEqual([]);
    }
  });

  it("opens the playground (and Apollo Sandbox) with the page's own operations, restating none", async () => {
    // print() drops comments and layout: what is left is the operation itself.
    const page = Object.values(await pageOperations()).map((text) => print(parse(text)));
    const operations = loadPageOperations();
    const shown = [...playgroundTabs(operations, 'iVBORw0KGgo=').map((tab) => tab.query), historyExample(operations)];
    for (const text of shown) expect(page, text).toContain(print(parse(text)));
    expect(shown.map((text) => operationOf(text).name?.value)).toEqual([
      'Describe',
      'DescribeStream',
      'History',
      'Dashboard',
      'Record',
      'PageSetup',
      'History',
    ]);
  });

  it('refuses an operation that asks for a field the schema does not have (the check can fail)', () => {
    expect(validationErrors('query Broken { settings { noSuchField } }')).toEqual([
      'Cannot query field "noSuchField" on type "ServerSettings".',
    ]);
  });
});
