import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { ClsService } from 'nestjs-cls';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { formatGraphqlError } from './error-formatting';
import { QueryComplexityPlugin } from './query-complexity.plugin';
import { RequestLoaders } from './request-loaders';
import { RequestTransactionPlugin } from './request-transaction.plugin';
import { ServiceUnavailablePlugin } from './service-unavailable.plugin';
import { graphqlWsOptions } from './subscriptions';

export interface GraphqlRequestContext {
  req: Request;
  res: Response;
}

/**
 * GraphQL at /graphql: over HTTP, and subscriptions over WebSocket (graphql-ws); code-first
 * schema, limits, one error mapping.
 */
@Global()
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [APP_CONFIG, ClsService],
      useFactory: (config: AppConfig, cls: ClsService): ApolloDriverConfig => {
        const depthRule = maxDepthRule({
          n: config.GRAPHQL_MAX_DEPTH,
          ignoreIntrospection: true,
          exposeLimits: false,
          // Reported as a validation error (BAD_USER_INPUT), not thrown (which would be a 500).
          propagateOnRejection: false,
          onReject: [
            (context, error) =>
              context?.reportError(
                new GraphQLError(
                  `Query is nested too deeply; the limit is ${config.GRAPHQL_MAX_DEPTH}.`,
                  { nodes: error.nodes },
                ),
              ),
          ],
        });
        return {
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          context: ({ req, res }: GraphqlRequestContext): GraphqlRequestContext => ({ req, res }),
          formatError: formatGraphqlError,
          validationRules: [depthRule],
          // No cache hints are used; Apollo's cache-control plugin, installed unless disabled,
          // otherwise wraps every field's resolver (CPU on every field of every answer).
          plugins: [
            ApolloServerPluginCacheControlDisabled() as unknown as NonNullable<
              ApolloDriverConfig['plugins']
            >[number],
          ],
          subscriptions: { 'graphql-ws': graphqlWsOptions(cls, depthRule) },
        };
      },
    }),
  ],
  providers: [
    QueryComplexityPlugin,
    ServiceUnavailablePlugin,
    RequestTransactionPlugin,
    RequestLoaders,
  ],
  exports: [RequestLoaders],
})
export class GraphqlApiModule {}
