import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** Root fields that call the model: each one executed is a billed Bedrock call. */
const BILLABLE_ROOT_FIELDS = new Set(['describeImage', 'describeImageStream']);

/**
 * Refuses an operation that would run more than `max` billable root fields (describeImage,
 * describeImageStream), counted by response key through fragments and inline fragments, as
 * execution merges them. Aliases let one request make 16 billed calls otherwise; a client that
 * wants several descriptions sends several requests, each admitted and rate-limited on its own.
 */
export function maxBillableCallsRule(max: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const keys = new Set<string>();
      collect(operation.selectionSet, fragments, keys, new Set());
      if (keys.size > max) {
        context.reportError(
          new GraphQLError(
            `At most ${max} describeImage or describeImageStream call per operation; this one has ${keys.size}`,
            { nodes: [operation] },
          ),
        );
      }
      return false;
    },
  });
}

function collect(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  keys: Set<string>,
  visited: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (BILLABLE_ROOT_FIELDS.has(selection.name.value)) keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragments, keys, visited);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A cycle or an unknown fragment is reported by graphql-js's own rules.
      if (fragment === undefined || visited.has(name)) continue;
      visited.add(name);
      collect(fragment.selectionSet, fragments, keys, visited);
    }
  }
}
