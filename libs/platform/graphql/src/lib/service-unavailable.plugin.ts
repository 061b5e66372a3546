import { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';

import { isDatabaseUnavailable } from '@schoolbench/database';

import { RETRY_AFTER_SECONDS } from './service-unavailable';

/**
 * A GraphQL response with an error from an unreachable database is sent as HTTP 503 with
 * `Retry-After` (its errors say SERVICE_UNAVAILABLE, see error-formatting.ts): clients, proxies
 * and load balancers then treat it as the retryable outage it is, not as a 200 with errors.
 */
@Plugin()
export class ServiceUnavailablePlugin implements ApolloServerPlugin {
  requestDidStart(): Promise<GraphQLRequestListener<Record<string, unknown>>> {
    return Promise.resolve({
      willSendResponse({ errors, response }): Promise<void> {
        if (errors?.some((e) => isDatabaseUnavailable(e.originalError ?? e))) {
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        }
        return Promise.resolve();
      },
    });
  }
}
