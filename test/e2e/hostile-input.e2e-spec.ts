import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import request from 'supertest';

import type { Role } from '@schoolbench/tenancy';
import { snapshotDatabase } from '@schoolbench/testing';

import { rootOperations } from './support/access-rules';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { introspectSchema, signInEveryRoleOfA, type Identity } from './support/schema-walk';

/**
 * The schema-driven hostile-input suite. It reads the schema by introspection and sends hostile
 * values of every kind (NUL bytes, SQL, huge numbers, wrong types, unknown enum values, missing
 * fields, tampered cursors, ids that are not ids) to every argument of every root query and
 * mutation, as a user whose role may call it and anonymously. Any HTTP 5xx or
 * INTERNAL_SERVER_ERROR fails the build: bad input is the caller's error, and says so. A new
 * field or argument is covered without anyone writing a test for it.
 */

const b64 = (keys: unknown[]) => Buffer.from(JSON.stringify(keys)).toString('base64url');

/** Cursors a client could forge: right shape, wrong types, wrong arity, hostile strings. */
const TAMPERED_CURSORS = [
  'garbage',
  '',
  '\u0000',
  b64(['x']),
  b64([1]),
  b64(['\u0000']),
  b64(["' or 1=1 --"]),
  b64([1e308]),
  b64([-1, 'x']),
  b64(['x', 'y']),
  b64(['2020-01-01', 'not-a-uuid']),
  b64([1, 2, 3]),
  b64(['x', 1, 'y', 2]),
];

const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  "'; drop table users; --",
  "' or '1'='1",
  'x'.repeat(5000),
  '',
  '%_\\',
  '\uD800',
];
const HOSTILE_IDS = [
  'not-a-uuid',
  '\u0000',
  "'; select 1; --",
  '00000000-0000-0000-0000-00000000000g',
  `${randomUUID()}\u0000`,
  '',
  '1',
];
const HOSTILE: Record<string, unknown[]> = {
  String: HOSTILE_STRINGS,
  ID: HOSTILE_IDS,
  Int: [2147483648, -2147483649, -1, 0, 1e15, 1.5, 'abc', true],
  Float: [1e308, -1e308, -1, 'abc', false],
  Boolean: ['yes', 1],
  DateTime: ['not a date', '\u0000', '9999-99-99T99:99:99Z', '0000-00-00', 12],
};
/** Whatever the type: a value of the wrong kind. */
const WRONG_KIND: unknown[] = [{ nested: 'object' }, ['a', 'list'], null];

describe('hostile input to every argument of every root field', () => {
  let api: ApiUnderTest;
  let schema: GraphQLSchema;
  let identities: Identity[];
  let rules: Map<string, { public: boolean; roles: Role[] }>;

  beforeAll(async () => {
    api = await startApiUnderTest({
      LOGIN_ATTEMPTS_PER_MINUTE: '100000',
      TENANT_REQUESTS_PER_MINUTE: '1000000',
    });
    identities = await signInEveryRoleOfA(api);
    schema = await introspectSchema(api, identities[0].credentials);
    rules = new Map(
      rootOperations(api.app).map((o) => [
        `${o.type}.${o.field}`,
        o.rule as { public: boolean; roles: Role[] },
      ]),
    );
  });
  afterAll(() => api.close());

  /** A plausible value: A's own identifiers where one is wanted, so the call reaches its resolver. */
  function validValue(name: string, type: GraphQLInputType): unknown {
    if (isNonNullType(type)) return validValue(name, type.ofType);
    if (isListType(type)) return [validValue(name, type.ofType)];
    if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.value as string);
      return values.includes('analyst') ? 'analyst' : values[0];
    }
    if (isInputObjectType(type)) {
      const out: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        if (isNonNullType(field.type)) out[field.name] = validValue(field.name, field.type);
      }
      return out;
    }
    const typeName = getNamedType(type).name;
    const n = name.toLowerCase();
    if (typeName === 'ID') return randomUUID();
    if (typeName === 'Int') return n.includes('urn') ? api.a.schools[0].urn : 5;
    if (typeName === 'Float') return 1.5;
    if (typeName === 'Boolean') return true;
    if (typeName === 'DateTime') return '2020-09-01T00:00:00Z';
    if (n.includes('email')) return `hostile-${randomUUID()}@example.test`;
    if (n.includes('password')) return 'a sufficiently long password';
    if (n === 'lacode') return '999';
    if (n.endsWith('on') || n.includes('date')) return '2020-09-01';
    return 'Hostile probe';
  }

  /** Hostile values for a value of `type`, each with where it goes (a path below the argument). */
  function hostileValues(
    name: string,
    type: GraphQLInputType,
    depth = 0,
  ): { path: string[]; value: unknown }[] {
    const named = getNamedType(type);
    const out: { path: string[]; value: unknown }[] = WRONG_KIND.map((value) => ({
      path: [],
      value,
    }));
    if (name === 'after') {
      out.push(...TAMPERED_CURSORS.map((value) => ({ path: [], value })));
    } else if (isEnumType(named)) {
      out.push({ path: [], value: 'NOT_A_VALUE' }, { path: [], value: 1 });
    } else if (isInputObjectType(named)) {
      out.push({ path: [], value: {} }, { path: [], value: 'a string' });
      if (depth < 2) {
        for (const field of Object.values(named.getFields())) {
          for (const inner of hostileValues(field.name, field.type, depth + 1)) {
            out.push({ path: [field.name, ...inner.path], value: inner.value });
          }
        }
      }
    } else {
      out.push(...(HOSTILE[named.name] ?? HOSTILE.String).map((value) => ({ path: [], value })));
    }
    if (isListType(isNonNullType(type) ? type.ofType : type)) {
      out.push({ path: [], value: [] }, { path: [], value: [null] });
    }
    return out;
  }

  function place(base: unknown, path: string[], value: unknown): unknown {
    if (!path.length) return value;
    const container = Array.isArray(base) ? base[0] : base;
    const copy = { ...(container as Record<string, unknown>) };
    copy[path[0]] = place(copy[path[0]], path.slice(1), value);
    return Array.isArray(base) ? [copy] : copy;
  }

  function selection(type: GraphQLOutputType, depth: number): string {
    const named = getNamedType(type);
    if (isLeafType(named) || !isObjectType(named)) return '';
    const parts: string[] = [];
    for (const field of Object.values(named.getFields())) {
      if (field.args.some((a) => isNonNullType(a.type))) continue;
      if (isLeafType(getNamedType(field.type))) parts.push(field.name);
      else if (depth > 0) {
        const inner = selection(field.type, depth - 1);
        if (inner) parts.push(`${field.name} { ${inner} }`);
      }
    }
    return parts.join(' ');
  }

  function document(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
    const args = field.args;
    const variables = args.length
      ? `(${args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})`
      : '';
    const passed = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
    const sel = selection(field.type, 1);
    return `${kind}${variables} { ${field.name}${passed}${sel ? ` { ${sel} }` : ''} }`;
  }

  function serverError(res: { status: number; body: unknown }): boolean {
    const errors = (res.body as { errors?: { extensions?: { code?: string } }[] } | undefined)
      ?.errors;
    return (
      res.status >= 500 || !!errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')
    );
  }

  it(
    'never answers a 5xx or INTERNAL_SERVER_ERROR',
    async () => {
      const failures: string[] = [];
      let calls = 0;
      for (const kind of ['query', 'mutation'] as const) {
        const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
        for (const field of Object.values(root.getFields())) {
          const rule = rules.get(`${kind === 'query' ? 'Query' : 'Mutation'}.${field.name}`)!;
          const allowed = identities.find((i) => rule.public || rule.roles.includes(i.role!))!;
          const callers = [allowed, { label: 'anonymous', role: null, credentials: {} }];
          const base = Object.fromEntries(
            field.args.map((a) => [a.name, validValue(a.name, a.type)]),
          );
          const cases: { where: string; variables: Record<string, unknown> }[] = [];
          for (const arg of field.args) {
            for (const { path, value } of hostileValues(arg.name, arg.type)) {
              cases.push({
                where: [arg.name, ...path].join('.'),
                variables: { ...base, [arg.name]: place(base[arg.name], path, value) },
              });
            }
            // The argument left out altogether (a missing required variable).
            const rest = { ...base };
            delete rest[arg.name];
            cases.push({ where: `${arg.name} (missing)`, variables: rest });
          }
          const query = document(kind, field);
          for (const caller of callers) {
            for (const c of cases) {
              let req = request(api.app.getHttpServer())
                .post('/graphql')
                .set('Content-Type', 'application/json');
              if (caller.credentials.token) {
                req = req.set('Authorization', `Bearer ${caller.credentials.token}`);
              }
              const res = await req.send({ query, variables: c.variables });
              calls++;
              if (serverError(res)) {
                failures.push(
                  `${caller.label} ${field.name} ${c.where}=${JSON.stringify(c.variables[c.where.split('.')[0]] ?? null).slice(0, 60)}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
                );
              }
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(calls).toBeGreaterThan(1000);
    },
    30 * 60_000,
  );

  it('answers hostile documents and envelopes with a 4xx and a code', async () => {
    const token = identities.find((i) => i.role === 'analyst')!.credentials.token!;
    const post = (body: unknown, auth = true) => {
      let req = request(api.app.getHttpServer())
        .post('/graphql')
        .set('Content-Type', 'application/json');
      if (auth) req = req.set('Authorization', `Bearer ${token}`);
      return req.send(body as object);
    };
    const tooComplex = Array.from(
      { length: 40 },
      (_, i) => `s${i}: schools(first: 100) { nodes { urn name } }`,
    ).join(' ');
    const cases: [string, unknown, string][] = [
      [
        'a NUL byte in a literal',
        { query: '{ school(urn: 1) { name } measures(category: "\u0000") { code } }' },
        'BAD_USER_INPUT',
      ],
      [
        'a NUL byte in login, anonymously',
        {
          query: 'mutation { login(email: "a\u0000@x.test", password: "\u0000") { accessToken } }',
        },
        'BAD_USER_INPUT',
      ],
      ['a query refused for complexity', { query: `{ ${tooComplex} }` }, 'BAD_USER_INPUT'],
      [
        'a batched array of operations',
        [{ query: '{ me { authenticatedWith } }' }, { query: '{ me { authenticatedWith } }' }],
        'BAD_USER_INPUT',
      ],
      [
        'a variable of the wrong type',
        { query: 'query($n: Int) { schools(first: $n) { totalCount } }', variables: { n: 'ten' } },
        'BAD_USER_INPUT',
      ],
      [
        'variables that are not an object',
        { query: '{ me { authenticatedWith } }', variables: 'x' },
        'BAD_USER_INPUT',
      ],
      ['a query that is not a string', { query: 42 }, 'BAD_USER_INPUT'],
      ['an empty body', {}, 'BAD_USER_INPUT'],
    ];
    const failures: string[] = [];
    for (const [what, body, code] of cases) {
      for (const auth of [true, false]) {
        const res = await post(body, auth);
        const errors = (res.body as { errors?: { extensions?: { code?: string } }[] }).errors;
        const codes = (Array.isArray(res.body) ? res.body : [res.body]).flatMap(
          (b: { errors?: { extensions?: { code?: string } }[] }) =>
            b.errors?.map((e) => e.extensions?.code) ?? [],
        );
        if (
          res.status >= 500 ||
          !codes.length ||
          codes.some((c) => c !== code && c !== 'UNAUTHENTICATED')
        ) {
          failures.push(
            `${what} (${auth ? 'signed in' : 'anonymous'}): HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
          );
        }
        void errors;
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers hostile REST parameters with a 400 and a code, writing nothing', async () => {
    const admin = identities.find((i) => i.role === 'la_admin')!.credentials.token!;
    const server = api.app.getHttpServer();
    const before = await snapshotDatabase(api.db, ['datasets', 'observations', 'mapping_profiles']);
    const gets = [
      '/api/exports/observations?urns=abc',
      '/api/exports/observations?urns=1&urns=2',
      '/api/exports/observations?measures=%00',
      '/api/exports/observations?periods=x&periods=y&part=meta',
      '/api/exports/observations?urns=99999999999999999999',
      '/api/access-log.csv?protocolId=------------------------------------',
      '/api/access-log.csv?protocolId=a&protocolId=b',
      '/api/access-log.csv?since=2020-99-99',
      '/api/access-log.csv?until=%00',
      `/api/datasets/not-a-uuid/report.csv`,
      `/api/datasets/${encodeURIComponent("' or 1=1 --")}/report.csv`,
      '/api/datasets/%00/report.csv',
    ];
    const failures: string[] = [];
    for (const path of gets) {
      const res = await request(server).get(path).set('Authorization', `Bearer ${admin}`);
      if (res.status !== 400 || (res.body as { code?: string }).code !== 'BAD_USER_INPUT') {
        failures.push(`GET ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    for (const profileId of ["'; drop table datasets; --", "' or '1'='1", 'not-a-uuid', '\u0000']) {
      const res = await request(server)
        .post('/api/datasets')
        .set('Authorization', `Bearer ${admin}`)
        .field('profileId', profileId)
        .attach('file', Buffer.from('urn,value\r\n116001,1\r\n'), 'hostile.csv');
      if (res.status !== 400 || (res.body as { code?: string }).code !== 'BAD_USER_INPUT') {
        failures.push(
          `POST profileId=${profileId}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(
      await snapshotDatabase(api.db, ['datasets', 'observations', 'mapping_profiles']),
    ).toEqual(before);
  });
});
