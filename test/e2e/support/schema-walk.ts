import {
  buildClientSchema,
  getIntrospectionQuery,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

import type { Role } from '@schoolbench/tenancy';
import { graphql, signIn, type Credentials } from '@schoolbench/testing';

import type { ApiUnderTest } from './api-under-test';

/** Someone the schema-driven suites call every root field as. */
export interface Identity {
  label: string;
  role: Role | null;
  credentials: Credentials;
}

/** Every role of tenant A, plus the platform operator, each signed in. */
export async function signInEveryRoleOfA(api: ApiUnderTest): Promise<Identity[]> {
  // At once: each sign-in waits mostly on its password hash, which runs off the event loop.
  return Promise.all(
    Object.entries({ ...api.a.users, operator: api.platform.users.operator }).map(
      async ([role, user]) => ({
        label: `A ${role}`,
        role: role as Role,
        credentials: { token: await signIn(api.app, user!.email, user!.password) },
      }),
    ),
  );
}

/** The schema as a client sees it, read by introspection. */
export async function introspectSchema(
  api: ApiUnderTest,
  credentials: Credentials,
): Promise<GraphQLSchema> {
  const introspection = await graphql<IntrospectionQuery>(
    api.app,
    getIntrospectionQuery(),
    {},
    credentials,
  );
  return buildClientSchema(introspection.data!);
}
