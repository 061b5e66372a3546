import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { Inject } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

/**
 * Rejects operations whose estimated cost exceeds the limit before any resolver runs. List fields
 * declare their cost through `complexity` in their field options (multiplied by page size).
 */
@Plugin()
export class QueryComplexityPlugin implements ApolloServerPlugin {
  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
    const max = this.config.GRAPHQL_MAX_COMPLEXITY;
    const schema = this.schemaHost.schema;
    return Promise.resolve({
      didResolveOperation({ request, document }): Promise<void> {
        const complexity = getComplexity({
          schema,
          operationName: request.operationName,
          query: document,
          variables: request.variables,
          estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
        });
        if (complexity > max) {
          return Promise.reject(
            new GraphQLError(
              `This query is too complex (${complexity}); the limit is ${max}. Ask for fewer fields or smaller pages.`,
              { extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' } },
            ),
          );
        }
        return Promise.resolve();
      },
    });
  }
}
