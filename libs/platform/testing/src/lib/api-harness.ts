import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface Credentials {
  token?: string;
  apiKey?: string;
}

/** POSTs a GraphQL operation to a running Nest app, as a client would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into responses freely
export async function graphql<T = Record<string, any>>(
  app: INestApplication,
  query: string,
  variables: Record<string, unknown> = {},
  credentials: Credentials = {},
): Promise<GraphqlResponse<T>> {
  let req = request(app.getHttpServer()).post('/graphql').set('Content-Type', 'application/json');
  if (credentials.token) req = req.set('Authorization', `Bearer ${credentials.token}`);
  if (credentials.apiKey) req = req.set('X-API-Key', credentials.apiKey);
  const res = await req.send({ query, variables });
  const body = res.body as { data?: T | null; errors?: GraphqlResponse<T>['errors'] };
  return { status: res.status, data: body.data ?? null, errors: body.errors };
}

/** Signs in and returns the access token. */
export async function signIn(
  app: INestApplication,
  email: string,
  password: string,
): Promise<string> {
  const res = await graphql<{ login: { accessToken: string } }>(
    app,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: password },
  );
  if (!res.data) throw new Error(`Sign-in failed for ${email}: ${JSON.stringify(res.errors)}`);
  return res.data.login.accessToken;
}

export function errorCode(res: GraphqlResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
