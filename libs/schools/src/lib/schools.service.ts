import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import {
  badInput,
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  type Connection,
} from '@schoolbench/graphql';
import { AccessLog } from '@schoolbench/sharing';
import { SCHOOL_ROLES, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import { SchoolEntity } from './school.entity';
import { CreateSchoolInput, SchoolModel, SchoolSource } from './school.model';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The register fields a school is served with (an entity, or a row read with these names). */
type SchoolFields = Pick<
  SchoolEntity,
  'urn' | 'laestab' | 'name' | 'phase' | 'type' | 'laCode' | 'openedOn' | 'closedOn'
>;

export function toSchoolModel(s: SchoolFields): SchoolModel {
  return {
    urn: s.urn,
    laestab: s.laestab,
    name: s.name,
    phase: s.phase,
    type: s.type,
    laCode: s.laCode,
    openedOn: s.openedOn,
    closedOn: s.closedOn,
  };
}

export interface SchoolFilter {
  source: SchoolSource;
  phase?: string;
  laCode?: string;
  search?: string;
}

/**
 * The school register. Row-level security decides what exists for the caller; the rules here
 * add the walls of roles: headteachers and governors see their own school only.
 */
@Injectable()
export class SchoolsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly accessLog: AccessLog,
  ) {}

  /** A page of schools; `count: false` leaves `totalCount` uncounted (0) when no one reads it. */
  async list(
    filter: SchoolFilter,
    first: number,
    after?: string,
    { count = true }: { count?: boolean } = {},
  ): Promise<Connection<SchoolModel>> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      // Plain SQL rather than the query builder: on a page of 50 under load, building the
      // statement and hydrating entities took about 8% of the API's CPU for the request.
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      const where: string[] = [];
      if (filter.source === SchoolSource.OWN) {
        where.push(`s.tenant_id = ${param(principal.tenantId)}`);
      } else if (filter.source === SchoolSource.PARTNERS) {
        // Row-level security admits a partner's school only under a named grant valid today.
        // Only tenants granting named data today: lets the planner use the tenant index.
        where.push(`s.tenant_id in (select g.tenant_id from sharing_grants g
             where g.grantee_tenant_id = ${param(principal.tenantId)} and g.disclosure = 'named'
               and current_date between g.valid_from and g.valid_to)`);
      } else {
        where.push('s.tenant_id = app_public_tenant()');
      }
      if (SCHOOL_ROLES.includes(principal.role)) {
        where.push(`s.urn = ${param(principal.schoolUrn)}`);
      }
      if (filter.phase) where.push(`s.phase = ${param(filter.phase)}`);
      if (filter.laCode) where.push(`s.la_code = ${param(filter.laCode)}`);
      if (filter.search) {
        const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(`lower(s.name) like ${param(pattern)}`);
      }
      const totalCount = count
        ? (
            await m.query<{ n: number }[]>(
              `select count(*)::int as n from schools s where ${where.join(' and ')}`,
              [...params],
            )
          )[0].n
        : 0;
      if (after) {
        // A cursor is a URN: one that decodes to anything else was not issued here.
        const urn = decodeCursor(after, 1)[0];
        if (typeof urn !== 'number' || !Number.isSafeInteger(urn)) {
          throw badInput('The `after` cursor is not one this API issued', { argument: 'after' });
        }
        where.push(`s.urn > ${param(urn)}`);
      }
      const rows = await m.query<(SchoolFields & { tenantId: string })[]>(
        `select s.tenant_id as "tenantId", s.urn, s.laestab, s.name, s.phase, s.type,
                s.la_code as "laCode", s.opened_on::text as "openedOn",
                s.closed_on::text as "closedOn"
         from schools s where ${where.join(' and ')}
         order by s.urn limit ${param(first + 1)}`,
        params,
      );
      const page = rows.slice(0, first);
      if (filter.source === SchoolSource.PARTNERS) {
        await this.accessLog.record(
          m,
          'Query.schools',
          page.map((s) => ({ tenantId: s.tenantId, urn: s.urn })),
        );
      }
      const nodes = page.map(toSchoolModel);
      return {
        nodes,
        totalCount,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: nodes.length ? encodeCursor([nodes[nodes.length - 1].urn]) : null,
        },
      };
    });
  }

  /**
   * A school of your authority, or else a partner's shared with you, or else of the public
   * reference data.
   */
  async get(urn: number): Promise<SchoolModel> {
    const principal = this.context.principal();
    if (SCHOOL_ROLES.includes(principal.role) && principal.schoolUrn !== urn) {
      throw forbidden(`A ${principal.role} can see only their own school`);
    }
    const school = await this.tx.run(async (m) => {
      // Row-level security decides which registers are readable: own, public, granted partners.
      const found = await m
        .getRepository(SchoolEntity)
        .createQueryBuilder('s')
        .where('s.urn = :urn', { urn })
        .orderBy(
          'case when s.tenant_id = :tenant then 0 when s.tenant_id = app_public_tenant() then 2 else 1 end',
        )
        .setParameter('tenant', principal.tenantId)
        .getOne();
      if (found) {
        await this.accessLog.record(m, 'Query.school', [
          { tenantId: found.tenantId, urn: found.urn },
        ]);
        // An authority that loaded only results files has no phase for its schools; DfE's
        // public register has it, and comparisons need it.
        if (!found.phase) {
          const [reference] = await m.query<{ phase: string }[]>(
            `select phase from schools
             where tenant_id = app_public_tenant() and urn = $1 and phase is not null`,
            [urn],
          );
          if (reference) found.phase = reference.phase;
        }
      }
      return found;
    });
    if (!school) throw notFound(`School ${urn}`);
    return toSchoolModel(school);
  }

  async create(input: CreateSchoolInput): Promise<SchoolModel> {
    const principal = this.context.principal();
    checkSchool(input);
    return this.tx.run(async (m) => {
      const [tenant] = await m.query<{ la_code: string | null }[]>(
        'select la_code from tenants where id = $1',
        [principal.tenantId],
      );
      const laCode = input.laCode ?? tenant?.la_code ?? null;
      if (tenant?.la_code && laCode !== tenant.la_code) {
        throw badInput(
          `School ${input.urn} is in LA ${laCode}, but your authority is LA ${tenant.la_code}: an authority's register holds only its own schools`,
          { field: 'laCode' },
        );
      }
      const exists = await m.existsBy(SchoolEntity, {
        tenantId: principal.tenantId,
        urn: input.urn,
      });
      if (exists)
        throw badInput(`School ${input.urn} is already in your register`, { field: 'urn' });
      const school = m.create(SchoolEntity, {
        tenantId: principal.tenantId,
        urn: input.urn,
        laestab: input.laestab ?? null,
        name: input.name.trim(),
        phase: input.phase ?? null,
        type: input.type ?? null,
        laCode,
        openedOn: input.openedOn ?? null,
        closedOn: input.closedOn ?? null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      await m.insert(SchoolEntity, school);
      return toSchoolModel(school);
    });
  }
}

export interface RegisterEntry {
  urn: number;
  laestab: number | null;
  name: string;
  laCode: string | null;
  phase: string | null;
  type: string | null;
  openedOn: string | null;
  closedOn: string | null;
}

/**
 * Creates or updates schools met in a data file, in the caller's transaction. Fields a file does
 * not carry (null) keep their stored value.
 */
export async function upsertRegister(
  m: EntityManager,
  tenantId: string,
  entries: RegisterEntry[],
): Promise<number> {
  let written = 0;
  // The transaction's time as a value, inserted and taken from `excluded`: Citus refuses
  // non-IMMUTABLE functions (now(), int || text) in DO UPDATE SET, and does not send a bind
  // parameter written there with the shard query (docs/scaling.md §9.5). On one node the stored
  // value is the same as the column's default, now().
  const [{ now }] = await m.query<{ now: Date }[]>('select now() as now');
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500);
    const result = await m.query<unknown[]>(
      `insert into schools (tenant_id, urn, laestab, name, la_code, phase, type, opened_on, closed_on, updated_at)
       select $1::uuid, *, $10::timestamptz
       from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::date[])
       on conflict (tenant_id, urn) do update set
         laestab = coalesce(excluded.laestab, schools.laestab),
         -- A file without names (a census) never overwrites a name another file gave.
         name = case when excluded.name like 'School %' and excluded.name = 'School ' || excluded.urn::text
                     then schools.name else excluded.name end,
         la_code = coalesce(excluded.la_code, schools.la_code),
         phase = coalesce(excluded.phase, schools.phase),
         type = coalesce(excluded.type, schools.type),
         opened_on = coalesce(excluded.opened_on, schools.opened_on),
         closed_on = coalesce(excluded.closed_on, schools.closed_on),
         updated_at = excluded.updated_at
       returning urn`,
      [
        tenantId,
        batch.map((e) => e.urn),
        batch.map((e) => e.laestab),
        batch.map((e) => e.name),
        batch.map((e) => e.laCode),
        batch.map((e) => e.phase),
        batch.map((e) => e.type),
        batch.map((e) => e.openedOn),
        batch.map((e) => e.closedOn),
        now,
      ],
    );
    written += result.length;
  }
  return written;
}

function checkSchool(input: CreateSchoolInput): void {
  if (!Number.isInteger(input.urn) || input.urn < 100000 || input.urn > 999999) {
    throw badInput(`URN ${input.urn} is not a six-digit Unique Reference Number`, { field: 'urn' });
  }
  if (!input.name.trim() || input.name.length > 300) {
    throw badInput('The school name must have 1 to 300 characters', { field: 'name' });
  }
  if (input.laCode != null && !/^\d{3}$/.test(input.laCode)) {
    throw badInput(`LA code "${input.laCode}" is not a three-digit DfE code`, { field: 'laCode' });
  }
  for (const field of ['openedOn', 'closedOn'] as const) {
    const value = input[field];
    if (value != null && (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))) {
      throw badInput(`${field} "${value}" is not a date like 2019-09-01`, { field });
    }
  }
}
