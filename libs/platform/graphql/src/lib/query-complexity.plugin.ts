import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { Inject } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  GraphQLError,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from 'graphql-query-complexity';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { refuseNulBytes } from './request-text';

/**
 * What a `totalCount` costs: it counts every row the filter and row-level security admit, however
 * small the page (25 aliased counts of observations took 5 s before it was priced).
 */
export const TOTAL_COUNT_COST = 100;
/** Items assumed in a nested list that has no `first` and declares no cost of its own. */
export const NESTED_LIST_ITEMS = 5;
const DEFAULT_PAGE = 20;

function isConnection(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  if (!isObjectType(named)) return false;
  const fields = named.getFields();
  return 'nodes' in fields && 'totalCount' in fields && 'pageInfo' in fields;
}

/** How many times `totalCount` is asked for directly in a selection (aliases included). */
function totalCounts(selectionSet: SelectionSetNode | undefined): number {
  let n = 0;
  for (const s of selectionSet?.selections ?? []) {
    if (s.kind === Kind.FIELD && s.name.value === 'totalCount') n++;
    if (s.kind === Kind.INLINE_FRAGMENT) n += totalCounts(s.selectionSet);
  }
  return n;
}

/**
 * Connections: a page of nodes costs page size × what one node costs, and each `totalCount` its
 * own TOTAL_COUNT_COST (not multiplied by the page). Replaces the per-field declarations, which
 * multiplied everything, counts included, by the page size.
 */
const connectionEstimator: ComplexityEstimator = ({ type, field, args, node, childComplexity }) => {
  // Inside a connection: nodes are multiplied and counts priced by the connection, below.
  if (isConnection(type) && field.name === 'totalCount') return 0;
  if (isConnection(type) && field.name === 'nodes') return childComplexity;
  if (!isConnection(field.type)) return undefined;
  const counts = totalCounts(node.selectionSet) * TOTAL_COUNT_COST;
  const page = typeof args.first === 'number' && args.first > 0 ? args.first : DEFAULT_PAGE;
  return 1 + page * childComplexity + counts;
};

/** Nested lists of objects with no cost of their own: `first` items, or NESTED_LIST_ITEMS. */
const nestedListEstimator: ComplexityEstimator = ({
  type: parent,
  field,
  args,
  childComplexity,
}) => {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (!isListType(type) || isLeafType(getNamedType(type))) return undefined;
  // Introspection reads the schema, not the database; the depth limit exempts it too.
  if (parent.name.startsWith('__') || getNamedType(type).name.startsWith('__')) return undefined;
  const items = typeof args.first === 'number' && args.first > 0 ? args.first : NESTED_LIST_ITEMS;
  return 1 + items * childComplexity;
};

/** Estimates kept per document: enough for every query the clients send, bounded for hostile ones. */
const ESTIMATES_KEPT = 500;

/**
 * What an estimate depends on besides the document: the operation and the variables' numbers
 * (page sizes). Strings stand in by their place only: ids and filters change per request, no
 * estimator reads them, and a list of them keeps its length.
 */
function estimateKey(
  query: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): string {
  const shape = JSON.stringify(variables ?? {}, (_key, value: unknown) =>
    typeof value === 'string' ? '' : value,
  );
  return `${operationName ?? ''}\u0000${shape}\u0000${query}`;
}

/** A request error that Apollo answers with HTTP 400 (without a status it answers 500). */
function refused(message: string, extensions: Record<string, unknown>, original?: Error) {
  return new GraphQLError(message, {
    originalError: original,
    extensions: { ...extensions, http: { status: 400 } },
  });
}

/**
 * Refuses, before any resolver runs, operations with NUL characters in their strings and
 * operations whose estimated cost exceeds the limit. Costs: connections and nested lists as
 * above; fields may declare their own `complexity` in their field options.
 */
@Plugin()
export class QueryComplexityPlugin implements ApolloServerPlugin {
  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Estimates by document, variables' shape and operation, least recently used first. */
  private readonly estimates = new Map<string, number>();

  requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
    const max = this.config.GRAPHQL_MAX_COMPLEXITY;
    const schema = this.schemaHost.schema;
    const estimates = this.estimates;
    return Promise.resolve({
      didResolveOperation({ request, document, source }): Promise<void> {
        const hostile = refuseNulBytes(document, request.variables);
        if (hostile) {
          return Promise.reject(refused(hostile.message, { code: hostile.code }, hostile));
        }
        const key = estimateKey(source, request.operationName, request.variables);
        let complexity = estimates.get(key);
        if (complexity !== undefined) {
          // Most recently used last: the first key is the one to drop.
          estimates.delete(key);
          estimates.set(key, complexity);
        } else {
          try {
            complexity = estimate(request.operationName, request.variables);
          } catch (error) {
            // Variables that do not fit their declared types (wrong type, missing, unknown enum).
            const message = error instanceof Error ? error.message : String(error);
            return Promise.reject(refused(message, { code: 'BAD_USER_INPUT' }));
          }
          estimates.set(key, complexity);
          if (estimates.size > ESTIMATES_KEPT) estimates.delete(estimates.keys().next().value!);
        }
        if (complexity > max) {
          return Promise.reject(
            refused(
              `This query is too complex (${complexity}); the limit is ${max}. Ask for fewer fields, fewer totalCounts or smaller pages.`,
              { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' },
            ),
          );
        }
        return Promise.resolve();

        function estimate(
          operationName: string | null | undefined,
          variables: Record<string, unknown> | undefined,
        ): number {
          return getComplexity({
            schema,
            operationName: operationName ?? undefined,
            query: document,
            variables,
            estimators: [
              connectionEstimator,
              fieldExtensionsEstimator(),
              nestedListEstimator,
              simpleEstimator({ defaultComplexity: 1 }),
            ],
          });
        }
      },
    });
  }
}
