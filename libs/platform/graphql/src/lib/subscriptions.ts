import type { IncomingMessage } from 'node:http';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import {
  GraphQLError,
  subscribe as graphqlSubscribe,
  validate as graphqlValidate,
  OperationTypeNode,
  specifiedRules,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { ClsService, ClsStore } from 'nestjs-cls';

import { formatGraphqlError } from './error-formatting';

/** Connection params that may stand in for the HTTP headers the access guard reads. */
const CREDENTIAL_PARAMS = ['authorization', 'x-api-key'] as const;

/**
 * What a subscription's resolvers see as the request: the credentials a client sent in its
 * graphql-ws `connectionParams` (`{ authorization: "Bearer …" }` or `{ "x-api-key": "sbk_…" }`),
 * as headers, so the same passport strategies and access guard authenticate it as over HTTP.
 * Nothing else from the params becomes a header.
 */
export function subscriptionRequest(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  upgrade?: IncomingMessage,
): { headers: Record<string, string>; ip?: string } {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(connectionParams ?? {})) {
    const name = key.toLowerCase();
    if (typeof value === 'string' && (CREDENTIAL_PARAMS as readonly string[]).includes(name)) {
      headers[name] = value;
    }
  }
  return { headers, ip: upgrade?.socket.remoteAddress };
}

/** Queries and mutations go over HTTP, where the complexity limit and rate limits apply. */
const subscriptionsOnly: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== OperationTypeNode.SUBSCRIPTION) {
      context.reportError(
        new GraphQLError(
          `Only subscriptions are served over WebSocket; send ${node.operation}s to POST /graphql`,
          {
            nodes: [node],
          },
        ),
      );
    }
  },
});

type SubscriptionStream = AsyncGenerator<ExecutionResult, void, void>;

/**
 * Runs a subscription's `subscribe` (where the access guard puts the principal into CLS) and every
 * later event of it in one CLS context: events arrive long after the WebSocket message that
 * started the subscription, and their field resolvers need the subscriber's tenant as a request's
 * would.
 */
function subscribeInContext(cls: ClsService) {
  return (args: ExecutionArgs): Promise<SubscriptionStream | ExecutionResult> =>
    cls.run(async () => {
      const result = await graphqlSubscribe(args);
      if (!(Symbol.asyncIterator in result)) return result;
      const store = cls.get<ClsStore>();
      const within = <T>(step: () => Promise<T>): Promise<T> => cls.runWith(store, step);
      const stream: SubscriptionStream = {
        next: () => within(() => result.next()),
        return: () => within(() => result.return()),
        throw: (error: unknown) => within(() => result.throw(error)),
        [Symbol.asyncIterator]() {
          return stream;
        },
        [Symbol.asyncDispose]: () => within(() => result.return().then(() => undefined)),
      };
      return stream;
    });
}

/**
 * graphql-ws at the GraphQL path: the same schema, depth limit, error mapping and access guard as
 * HTTP, credentials from the connection params.
 */
export function graphqlWsOptions(
  cls: ClsService,
  depthRule: ValidationRule,
): GraphQLWsSubscriptionsConfig {
  const options: GraphQLWsSubscriptionsConfig &
    Pick<ServerOptions, 'context' | 'subscribe' | 'validate'> = {
    path: '/graphql',
    context: (ctx) => ({
      req: subscriptionRequest(
        ctx.connectionParams,
        (ctx.extra as { request?: IncomingMessage }).request,
      ),
    }),
    validate: (schema: GraphQLSchema, document: DocumentNode) =>
      graphqlValidate(schema, document, [...specifiedRules, depthRule, subscriptionsOnly]),
    subscribe: subscribeInContext(cls),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors
        ? { ...result, errors: result.errors.map((e) => formatGraphqlError(e.toJSON(), e)) }
        : undefined,
  };
  return options;
}
