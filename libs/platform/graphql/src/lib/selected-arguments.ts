import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentSpreadNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The arguments of every selection of field `name` on the object the current resolver returns
 * (aliases each once; through fragments; selections that `@skip`/`@include` leave out are not
 * included), as graphql-js will give them to that field's resolver. For a resolver that starts its
 * children's reads at once (in the same write as its own statement) instead of after it is
 * answered. Empty when the result type has no such field or an argument cannot be read (the
 * field's own resolver then reports it).
 */
export function selectedArguments<Args = Record<string, unknown>>(
  info: GraphQLResolveInfo,
  name: string,
): Args[] {
  const type = getNamedType(info.returnType);
  const field = isObjectType(type) ? type.getFields()[name] : undefined;
  if (!field) return [];
  const variables = info.variableValues;
  const included = (node: FieldNode | FragmentSpreadNode | InlineFragmentNode): boolean =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  const found: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD) {
        if (s.name.value === name) found.push(getArgumentValues(field, s, variables));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        visit(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  try {
    for (const node of info.fieldNodes) visit(node.selectionSet);
  } catch {
    return [];
  }
  return found as Args[];
}
