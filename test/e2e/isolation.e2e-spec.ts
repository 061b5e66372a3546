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
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { errorCode, graphql, signIn } from '@schoolbench/testing';

import { rootOperations, type RootOperation } from './support/access-rules';
import { startApiUnderTest, type ApiUnderTest } from './support/api-under-test';
import { introspectSchema, signInEveryRoleOfA, type Identity } from './support/schema-walk';

/**
 * The schema-driven isolation suite. It reads the schema by introspection and calls every query
 * and mutation as every role of tenant A (and anonymously) with tenant B's identifiers. A response
 * carrying B's data, a success where the access rule says FORBIDDEN, or any change to B's rows
 * fails the build. A new field is covered without anyone writing a test for it.
 */

/**
 * The walk runs once with no protocol between A and B, and once for each disclosure level of an
 * active protocol B owns with A as a party. Under a named protocol B's schools in scope may be
 * named to A; under a pseudonymised or aggregate one nothing of B's may identify a school; and
 * whatever the level, nothing else of B's (users, keys, datasets, profiles) ever reaches A.
 */
const SHARING = ['none', 'named', 'pseudonymised', 'aggregate'] as const;
type Sharing = (typeof SHARING)[number];

/** A reason B's LA admin gave: A must never read it. */
const B_TARGET_REASON = 'B returned this target for a secret reason';
const B_JUDGEMENT_SOURCE = 'B confidential inspection note';
/**
 * Re-identification (issue 10, SPEC §6 as changed on 2026-12-03): under a pseudonymised or
 * aggregate protocol no row may be linkable back to one of B's schools. The walk checks every
 * response for the two signatures of a link: a pseudonymised row carrying a value DfE publishes for
 * one of B's schools (an exact-value join names it), and statistics from fewer partner schools
 * than the floor (a small group the requester could aim). A scenario below checks the third: a
 * membership change must not show who left.
 */
const STATISTICS_FLOOR = 10;
/** B's extra schools under pseudonymised and aggregate sharing: enough for rows to flow. */
const EXTRA_B_SCHOOLS = Array.from({ length: 11 }, (_, i) => ({
  urn: 121910 + i,
  name: `B reach school ${i}`,
  value: 30 + i * 3.25,
}));
/** DfE publishes the first extra school's value: the exact-value join the attacker tried. */
const PUBLISHED_B = EXTRA_B_SCHOOLS[0];
/** Nested fields with required arguments the walk can fill: a club's dashboard. */
const NESTED_ARGUMENTS: Record<string, string> = {
  measures: '["ks2_rwm_expected_pct"]',
  period: '"2018/19"',
};

/** Credential exchanges: their inputs are secrets, not identifiers of another tenant's data. */
const CREDENTIAL_EXCHANGES = new Set(['login', 'refreshToken', 'acceptInvitation']);

describe.each(SHARING)(
  'tenant isolation across the whole GraphQL schema (sharing: %s)',
  (sharing: Sharing) => {
    let api: ApiUnderTest;
    let schema: GraphQLSchema;
    let operations: RootOperation[];
    let identities: Identity[];
    let bIds: {
      users: string[];
      apiKey: string;
      urns: number[];
      dataset: string;
      profile: string;
      protocol: string | null;
      club: string | null;
      /** B's target events: a returned proposal, its answer, a pending proposal. */
      targets: string[];
    };
    let bMarkers: string[];
    /** B's schools A may see named: only under a named protocol. */
    let namedToA: { urn: number; name: string }[];
    let bRowsBefore: Record<string, unknown[]>;
    let emailCounter = 0;

    async function bRows(): Promise<Record<string, unknown[]>> {
      // One connection for every table: on Citus each new one also opens the workers'.
      const client = new Client({ connectionString: api.db.adminUrl });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          "select table_name from information_schema.columns where column_name = 'tenant_id' and table_schema = 'public' order by 1",
        );
        const rows: Record<string, unknown[]> = {};
        for (const { table_name } of tables.rows) {
          // A's reads of B's shared data are logged in B's access log: that is the point of it.
          if (table_name === 'access_log') continue;
          rows[table_name] = (
            await client.query(`select * from ${table_name} where tenant_id = $1 order by 1, 2`, [
              api.b.id,
            ])
          ).rows;
        }
        return rows;
      } finally {
        await client.end();
      }
    }

    beforeAll(async () => {
      // The walk selects every field of a root field's type in one query, on purpose: the
      // complexity limit (tested in expensive-queries and hostile-input) must not refuse it before
      // the access rule is checked.
      api = await startApiUnderTest({
        LOGIN_ATTEMPTS_PER_MINUTE: '1000',
        GRAPHQL_MAX_COMPLEXITY: '1000000',
      });
      // Give B an API key, so key ids and prefixes are among the things A must never see.
      const bAnalyst = api.b.users.analyst!;
      const bToken = await signIn(api.app, bAnalyst.email, bAnalyst.password);
      const key = await graphql(
        api.app,
        'mutation { createApiKey(name: "b-key") { apiKey { id prefix } } }',
        {},
        { token: bToken },
      );
      const shared = sharing === 'none' ? null : await shareWithA(sharing);
      const targets = await targetsOfB();
      bIds = {
        users: Object.values(api.b.users).map((u) => u!.id),
        apiKey: key.data!.createApiKey.apiKey.id,
        urns: api.b.schools.map((s) => s.urn),
        dataset: api.bData.id,
        profile: api.bData.profileId,
        protocol: shared?.protocol ?? null,
        club: shared?.club ?? null,
        targets,
      };
      namedToA = sharing === 'named' ? api.b.schools : [];
      if (sharing === 'pseudonymised' || sharing === 'aggregate') await widenBReach();
      bMarkers = [
        ...api.b.schools.filter((s) => !namedToA.includes(s)).map((s) => s.name),
        ...Object.values(api.b.users).map((u) => u!.email),
        ...bIds.users,
        bIds.apiKey,
        key.data!.createApiKey.apiKey.prefix,
        // A named partner row carries its dataset version as provenance; nothing else of it.
        ...(sharing === 'named' ? [] : [api.bData.id]),
        ...EXTRA_B_SCHOOLS.map((x) => x.name),
        api.bData.fileName,
        api.bData.profileId,
        api.bData.profileName,
        B_TARGET_REASON,
        B_JUDGEMENT_SOURCE,
      ];

      identities = [
        { label: 'anonymous', role: null, credentials: {} },
        ...(await signInEveryRoleOfA(api)),
      ];
      schema = await introspectSchema(api, identities[1].credentials);
      operations = rootOperations(api.app);
      bRowsBefore = await bRows();
    });

    afterAll(() => api.close());

    /**
     * An active protocol owned by B with A as a party, sharing B's KS2 results at `level`, signed
     * by both LA admins through the database's own signing function; and a club B coordinates with
     * a school of each.
     */
    async function shareWithA(
      level: Exclude<Sharing, 'none'>,
    ): Promise<{ protocol: string; club: string }> {
      const protocol = randomUUID();
      const club = randomUUID();
      const parties = [api.b.id, api.a.id];
      await api.db.query(
        `insert into protocols (tenant_id, id, status, parties) values ($1, $2, 'proposed', $3)`,
        [api.b.id, protocol, parties],
      );
      await api.db.query(
        `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties, measures,
         period_from, period_to, disclosure, valid_from, valid_to)
       values ($1, $2, 1, 'Isolation protocol', 'Isolation suite', $3, '{ks2_rwm_expected_pct}',
         201819, 201819, $4, current_date, current_date + 365)`,
        [api.b.id, protocol, parties, level],
      );
      for (const tenant of [api.b, api.a]) {
        await api.db.asTenant(
          tenant.id,
          'select protocol_sign($1, $2, 1)',
          [api.b.id, protocol],
          tenant.users.la_admin!.id,
        );
      }
      await api.db.query(
        `insert into clubs (tenant_id, id, name, protocol_owner_id, protocol_id, parties)
       values ($1, $2, 'Isolation club', $1, $3, $4)`,
        [api.b.id, club, protocol, parties],
      );
      await api.db.query(
        `insert into club_members (tenant_id, club_id, member_tenant_id, urn, parties)
       values ($1, $2, $1, $3, $5), ($1, $2, $4, $6, $5)`,
        [api.b.id, club, api.b.schools[0].urn, api.a.id, parties, api.a.schools[0].urn],
      );
      const [active] = await api.db.query<{ status: string }>(
        'select status from protocols where id = $1',
        [protocol],
      );
      expect(active.status).toBe('active');
      return { protocol, club };
    }

    /**
     * B's targets history for one of its schools: a proposal returned with a reason, then a
     * proposal awaiting an answer (their ids are tried as A's proposal ids); and its judgements.
     */
    async function targetsOfB(): Promise<string[]> {
      const [first, answer, pending] = [randomUUID(), randomUUID(), randomUUID()];
      const head = api.b.users.headteacher!;
      const admin = api.b.users.la_admin!;
      const urn = api.b.schools[0].urn;
      await api.db.query(
        `insert into target_events (tenant_id, id, urn, measure, time_period, breakdown, kind,
           action, value, answers, reason, source, actor_id, actor_role, at)
         values ($1, $2, $5, 'ks2_rwm_expected_pct', 201819, 'all', 'target', 'proposed', 71, null, null, 'api', $6, 'headteacher', now() - interval '3 minutes'),
                ($1, $3, $5, 'ks2_rwm_expected_pct', 201819, 'all', 'target', 'returned', 71, $2, $8, 'api', $7, 'la_admin', now() - interval '2 minutes'),
                ($1, $4, $5, 'ks2_rwm_expected_pct', 201819, 'all', 'target', 'proposed', 77, null, null, 'api', $6, 'headteacher', now() - interval '1 minute')`,
        [api.b.id, first, answer, pending, urn, head.id, admin.id, B_TARGET_REASON],
      );
      await api.db.query(
        `insert into school_judgements (tenant_id, id, urn, kind, judgement, judged_on, source, recorded_by, recorded_via)
         values ($1, $2, $3, 'inspection', 'inadequate', '2019-01-10', $5, $4, 'api'),
                ($1, $6, $3, 'categorisation', 'school_causing_concern', '2019-02-01', $5, $4, 'api')`,
        [api.b.id, randomUUID(), urn, admin.id, B_JUDGEMENT_SOURCE, randomUUID()],
      );
      return [pending, first, answer];
    }

    /**
     * Gives B eleven more schools with values (so pseudonymised rows and statistics flow to A) and
     * has DfE publish one of them, with the same value, in the public reference data.
     */
    async function widenBReach(): Promise<void> {
      // One statement per table, not per school: each is a connection (and on Citus the workers').
      await api.db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code)
         select $1::uuid, x.urn, x.name, 'Primary', $2::text from unnest($3::int[], $4::text[]) as x(urn, name)`,
        [
          api.b.id,
          api.b.laCode,
          EXTRA_B_SCHOOLS.map((x) => x.urn),
          EXTRA_B_SCHOOLS.map((x) => x.name),
        ],
      );
      await api.db.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value)
         select $1::uuid, $2::uuid, x.urn, 'ks2_rwm_expected_pct', 201819, 'Academic year', 'all', x.value
         from unnest($3::int[], $4::float8[]) as x(urn, value)`,
        [
          api.b.id,
          api.bData.id,
          EXTRA_B_SCHOOLS.map((x) => x.urn),
          EXTRA_B_SCHOOLS.map((x) => x.value),
        ],
      );
      const published = randomUUID();
      await api.db.query(
        `insert into schools (tenant_id, urn, name, phase, la_code) values ($1, $2, 'A published school', 'Primary', $3)`,
        [api.publicData.id, PUBLISHED_B.urn, api.b.laCode],
      );
      await api.db.query(
        `insert into datasets (tenant_id, id, series, version, file_name, content_hash, format, status, is_current, published_at)
         values ($1, $2, 'fixture:published', 1, 'published.csv', $3, 'fixture', 'published', true, now())`,
        [api.publicData.id, published, randomUUID().replace(/-/g, '').padEnd(64, '0')],
      );
      await api.db.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown, value)
         values ($1, $2, $3, 'ks2_rwm_expected_pct', 201819, 'Academic year', 'all', $4)`,
        [api.publicData.id, published, PUBLISHED_B.urn, PUBLISHED_B.value],
      );
      // They join B's club too, so a dashboard of members would carry them as well.
      await api.db.query(
        `insert into club_members (tenant_id, club_id, member_tenant_id, urn, parties)
         select $1::uuid, $2::uuid, $1::uuid, urn, $3::uuid[] from unnest($4::int[]) as urn`,
        [api.b.id, bIds.club, [api.b.id, api.a.id], EXTRA_B_SCHOOLS.map((x) => x.urn)],
      );
      // Reach is compiled at settling: settle again to take the new schools in.
      await api.db.asTenant(
        api.b.id,
        'select protocol_settle($1, $2)',
        [api.b.id, bIds.protocol],
        api.b.users.la_admin!.id,
      );
    }

    /** Links a response offers back to B's schools under a pseudonymised or aggregate protocol. */
    function reidentifications(data: unknown): string[] {
      if (sharing !== 'pseudonymised' && sharing !== 'aggregate') return [];
      const found: string[] = [];
      const visit = (node: unknown, pseudonymised: boolean): void => {
        if (Array.isArray(node)) return node.forEach((n) => visit(n, pseudonymised));
        if (node === null || typeof node !== 'object') return;
        const o = node as Record<string, unknown>;
        const under = pseudonymised || typeof o.pseudonym === 'string';
        if (under && o.value === PUBLISHED_B.value) {
          found.push(
            `a pseudonymised row carries ${String(o.value)}, which DfE publishes for one of B's schools`,
          );
        }
        if (
          typeof o.partnerN === 'number' &&
          o.partnerN > 0 &&
          o.partnerN < STATISTICS_FLOOR &&
          (o.q1 ?? o.median ?? o.q3) != null
        ) {
          found.push(
            `quartiles from ${o.partnerN} partner schools (the floor is ${STATISTICS_FLOOR})`,
          );
        }
        for (const value of Object.values(o)) visit(value, under);
      };
      visit(data, false);
      return found;
    }

    function idCandidates(): string[] {
      return [
        ...bIds.users,
        bIds.apiKey,
        api.b.id,
        ...bIds.targets,
        bIds.dataset,
        bIds.profile,
        ...(bIds.protocol ? [bIds.protocol] : []),
        ...(bIds.club ? [bIds.club] : []),
      ];
    }

    function scalarValue(name: string, typeName: string, variant: number): unknown {
      const n = name.toLowerCase();
      if (typeName === 'ID') return idCandidates()[variant % idCandidates().length];
      if (typeName === 'Int') return n.includes('urn') ? bIds.urns[variant % bIds.urns.length] : 5;
      if (typeName === 'Float') return 1.5;
      if (typeName === 'Boolean') return true;
      if (n.includes('email')) return `isolation-${++emailCounter}@example.test`;
      if (n.includes('password')) return 'a sufficiently long password';
      if (n === 'lacode') return api.b.laCode;
      if (n.includes('token')) return 'not-a-real-token';
      if (n.endsWith('on') || n.includes('date')) return '2020-09-01';
      if (typeName === 'DateTime') return '2020-09-01T00:00:00Z';
      return 'Isolation probe';
    }

    function inputValue(name: string, type: GraphQLInputType, variant: number): unknown {
      if (isNonNullType(type)) return inputValue(name, type.ofType, variant);
      if (isListType(type)) return [inputValue(name, type.ofType, variant)];
      if (isEnumType(type)) {
        const values = type.getValues().map((v) => v.value as string);
        return values.includes('analyst') ? 'analyst' : values[0];
      }
      if (isInputObjectType(type)) {
        const out: Record<string, unknown> = {};
        for (const field of Object.values(type.getFields())) {
          if (
            isNonNullType(field.type) ||
            /urn|lacode/i.test(field.name) ||
            getNamedType(field.type).name === 'ID'
          ) {
            out[field.name] = inputValue(field.name, field.type, variant);
          }
        }
        return out;
      }
      return scalarValue(name, getNamedType(type).name, variant);
    }

    function selection(type: GraphQLOutputType, depth: number): string {
      const named = getNamedType(type);
      if (isLeafType(named) || !isObjectType(named)) return '';
      const parts: string[] = [];
      for (const field of Object.values(named.getFields())) {
        const required = field.args.filter((a) => isNonNullType(a.type));
        if (required.some((a) => !NESTED_ARGUMENTS[a.name])) continue;
        const args = required.length
          ? `(${required.map((a) => `${a.name}: ${NESTED_ARGUMENTS[a.name]}`).join(', ')})`
          : '';
        const sub = getNamedType(field.type);
        if (isLeafType(sub)) parts.push(`${field.name}${args}`);
        else if (depth > 0) {
          const inner = selection(field.type, depth - 1);
          if (inner) parts.push(`${field.name}${args} { ${inner} }`);
        }
      }
      return parts.join(' ');
    }

    function document(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
      const args = field.args;
      const variables = args.length
        ? `(${args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})`
        : '';
      const passed = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
      const sel = selection(field.type, 3);
      return `${kind}${variables} { ${field.name}${passed}${sel ? ` { ${sel} }` : ''} }`;
    }

    it('connects as a role that owns nothing and cannot bypass row-level security', async () => {
      const [role] = await api.app
        .get(DataSource)
        .query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; owns: boolean }[]>(
          `select r.rolname, r.rolsuper, r.rolbypassrls,
              exists (select 1 from pg_class c where c.relowner = r.oid and c.relnamespace = 'public'::regnamespace) as owns
       from pg_roles r where r.rolname = current_user`,
        );
      expect(role).toEqual({
        rolname: 'schoolbench_app',
        rolsuper: false,
        rolbypassrls: false,
        owns: false,
      });
    });

    it('declares an access rule on every root field of the schema', () => {
      const declared = new Map(operations.map((o) => [`${o.type}.${o.field}`, o.rule]));
      const fields = [
        ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `Query.${f}`),
        ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
      ];
      expect(fields.length).toBeGreaterThanOrEqual(15);
      expect(fields.filter((f) => !declared.get(f))).toEqual([]);
    });

    it('serves tenant A none of tenant B’s data and refuses every role the rule does not name', async () => {
      const failures: string[] = [];
      let calls = 0;
      let dashboards = 0;
      const rules = new Map(operations.map((o) => [`${o.type}.${o.field}`, o.rule!]));
      for (const kind of ['query', 'mutation'] as const) {
        const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
        for (const field of Object.values(root.getFields())) {
          const rule = rules.get(`${kind === 'query' ? 'Query' : 'Mutation'}.${field.name}`)!;
          // Every one of B's ids, the protocol and club included (where the club's dashboard is).
          const idArgs = field.args.some((a) => getNamedType(a.type).name === 'ID')
            ? idCandidates().length
            : 1;
          const urnArgs = JSON.stringify(field.args.map((a) => a.name)).match(/urn|input/i)
            ? bIds.urns.length
            : 1;
          const variants = Math.max(idArgs, urnArgs);
          for (const identity of identities) {
            for (let variant = 0; variant < variants; variant++) {
              const variables = Object.fromEntries(
                field.args.map((a) => [a.name, inputValue(a.name, a.type, variant)]),
              );
              const res = await graphql(
                api.app,
                document(kind, field),
                variables,
                identity.credentials,
              );
              calls++;
              if (JSON.stringify(res.data ?? null).includes('"dashboard":{')) dashboards++;
              const where = `${identity.label} ${field.name}(${JSON.stringify(variables)})`;
              const allowed =
                rule.public || (identity.role !== null && rule.roles.includes(identity.role));
              if (!allowed) {
                const expected = identity.role === null ? 'UNAUTHENTICATED' : 'FORBIDDEN';
                if (errorCode(res) !== expected || (res.data && res.data[field.name] != null)) {
                  failures.push(
                    `${where}: expected ${expected}, got ${JSON.stringify(res).slice(0, 300)}`,
                  );
                }
              }
              const data = JSON.stringify(res.data ?? null);
              const errors = JSON.stringify(res.errors ?? []);
              for (const marker of bMarkers) {
                if (data.includes(marker))
                  failures.push(`${where}: response data carries B's ${marker}`);
                if (
                  !CREDENTIAL_EXCHANGES.has(field.name) &&
                  errors.includes(marker) &&
                  !JSON.stringify(variables).includes(marker)
                ) {
                  failures.push(`${where}: error reveals B's ${marker}`);
                }
              }
              for (const link of reidentifications(res.data ?? null)) {
                failures.push(`${where}: ${link}`);
              }
              for (const urn of bIds.urns.filter((u) => !namedToA.some((s) => s.urn === u))) {
                if (new RegExp(`"urn":${urn}\\b`).test(data))
                  failures.push(`${where}: response data carries B's school ${urn}`);
              }
              if (res.status >= 500) failures.push(`${where}: HTTP ${res.status}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(calls).toBeGreaterThan(identities.length * 15);
      // The walk reaches club dashboards (nested arguments filled in), where the links would show.
      if (sharing !== 'none') expect(dashboards).toBeGreaterThan(0);
    }, 600_000);

    it('shows the same pseudonymised rows and statistics whoever the club members are', async () => {
      if (sharing !== 'pseudonymised' && sharing !== 'aggregate') return;
      // A coordinates a club under B's protocol with B's schools as members, and removes one:
      // nothing on the dashboard may change, or the change names the school that left.
      const club = randomUUID();
      const parties = [api.b.id, api.a.id];
      await api.db.query(
        `insert into clubs (tenant_id, id, name, protocol_owner_id, protocol_id, phase, parties)
         values ($1, $2, 'A probes B', $3, $4, 'Primary', $5)`,
        [api.a.id, club, api.b.id, bIds.protocol, parties],
      );
      for (const { urn } of EXTRA_B_SCHOOLS.slice(0, 4)) {
        await api.db.query(
          `insert into club_members (tenant_id, club_id, member_tenant_id, urn, parties) values ($1, $2, $3, $4, $5)`,
          [api.a.id, club, api.b.id, urn, parties],
        );
      }
      const admin = identities.find((i) => i.label === 'A la_admin')!.credentials;
      const board = `query($id: ID!) { club(id: $id) { dashboard(measures: ["ks2_rwm_expected_pct"], period: "2018/19") {
        schools { urn name pseudonym laCode isOwn values { measure value suppression } }
        statistics { n partnerN withheld q1 median q3 } } } }`;
      const before = await graphql(api.app, board, { id: club }, admin);
      expect(before.errors).toBeUndefined();
      const removed = await graphql(
        api.app,
        'mutation($c: ID!, $u: Int!) { removeClubMember(clubId: $c, urn: $u) { id } }',
        { c: club, u: EXTRA_B_SCHOOLS[1].urn },
        admin,
      );
      expect(removed.errors).toBeUndefined();
      const after = await graphql(api.app, board, { id: club }, admin);
      expect(after.data).toEqual(before.data);
      expect(reidentifications(after.data)).toEqual([]);
      // Not vacuous: B's schools are behind the dashboard, as pseudonyms or as statistics.
      const text = JSON.stringify(after.data);
      expect(
        sharing === 'pseudonymised' ? /S-[0-9A-F]{10}/.test(text) : /"median":\d/.test(text),
      ).toBe(true);
    });

    it('left every row of tenant B exactly as it was', async () => {
      expect(await bRows()).toEqual(bRowsBefore);
      // Only A's reads (of what B shares with it) were added to B's access log.
      const readers = await api.db.query<{ reader_tenant_id: string }>(
        'select distinct reader_tenant_id from access_log where tenant_id = $1',
        [api.b.id],
      );
      expect(readers.map((r) => r.reader_tenant_id)).toEqual(
        sharing === 'none' ? [] : readers.length ? [api.a.id] : [],
      );
    });
  },
);
