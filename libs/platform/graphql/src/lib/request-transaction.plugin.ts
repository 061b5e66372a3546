import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import type { Response } from 'express';
import { OperationTypeNode } from 'graphql';

import { isDatabaseUnavailable } from '@schoolbench/database';
import { TenantTransactions, type RequestScope } from '@schoolbench/tenancy';

import { RETRY_AFTER_SECONDS } from './service-unavailable';

/**
 * One tenant transaction per GraphQL query, shared by all its resolvers (ADR 0040): the scope is
 * begun once the operation is known to be a query, its transaction opens with the first
 * statement (the sign-in check), and it is committed here before the answer leaves, so the
 * access-log entries for what the answer shows are durable first; a transaction that only read
 * is committed without the answer waiting (ADR 0042). Mutations keep a transaction
 * per service call: each root mutation is all-or-nothing on its own, and work queued after a
 * commit (jobs) sees what it committed.
 */
@Plugin()
export class RequestTransactionPlugin implements ApolloServerPlugin {
  constructor(private readonly tx: TenantTransactions) {}

  requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
    let scope: RequestScope | undefined;
    return Promise.resolve({
      didResolveOperation: ({ operation, contextValue }): Promise<void> => {
        if (operation?.operation !== OperationTypeNode.QUERY) return Promise.resolve();
        // Pipelined: sibling fields' statements (a run's groups and benchmarks) share one write.
        scope = this.tx.beginRequest('REPEATABLE READ', { pipelined: true });
        // However the request ends (a client gone, an error before the answer), its connection
        // goes back to the pool; after a normal answer this finds the scope ended and does nothing.
        const res = contextValue.res as Response | undefined;
        res?.once('close', () => void scope?.end('rollback'));
        return Promise.resolve();
      },
      willSendResponse: async ({ response }): Promise<void> => {
        if (!scope) return;
        if (scope.onlyRead) {
          // Nothing was written (no access-log entries: own and public rows only), so the
          // COMMIT makes nothing durable and the answer does not wait for its round trip. The
          // connection goes back to the pool once it is answered.
          void scope.end('commit');
          return;
        }
        const outcome = await scope.end('commit');
        const lost = isDatabaseUnavailable(outcome.failure);
        if (!outcome.opened || outcome.committed || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        if (result.data === undefined || result.data === null) return;
        // What was read may have been logged in the transaction that did not commit: the
        // answer is withheld rather than sent with its access-log entries lost.
        result.data = null;
        result.errors = [
          ...(result.errors ?? []),
          {
            message:
              'The answer was withheld: the request’s transaction could not commit. Try again.',
            extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: RETRY_AFTER_SECONDS },
          },
        ];
        if (lost) {
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        }
      },
    });
  }
}
