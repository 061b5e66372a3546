import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';
import { badInput, forbidden } from '@schoolbench/graphql';
import { AccessLog, type ProtocolRead } from '@schoolbench/sharing';
import {
  SCHOOL_ROLES,
  TenantContext,
  TenantTransactions,
  type Principal,
} from '@schoolbench/tenancy';

import {
  HEADLINE_BREAKDOWN,
  identifiesMember,
  MAX_DASHBOARD_MEASURES,
  parseClubPeriod,
  quartileOf,
  withheldReason,
  type Disclosure,
  type Quartiles,
} from './club-rules';
import { ClubsService } from './clubs.service';
import {
  ClubDashboardModel,
  ClubDashboardSchoolModel,
  ClubMeasureStatisticsModel,
  ClubModel,
} from './models/club.model';

interface ProtocolNow {
  status: string;
  version_in_force: number | null;
  disclosure: Disclosure | null;
  min_group_size: number | null;
  measures: string[] | null;
  period_from: number | null;
  period_to: number | null;
  phases: string[] | null;
}

interface MemberRow {
  urn: number;
  member_tenant_id: string;
  la_code: string | null;
}

interface CellRow {
  tenant_id: string;
  urn: number | null;
  pseudonym: string | null;
  measure: string;
  value: number | null;
  suppression: string | null;
}

interface StatisticRow {
  measure: string;
  n: number;
  partner_n: number;
  withheld: number;
  q1: number | null;
  median: number | null;
  q3: number | null;
  min_group_size: number | null;
}

const KNOWN_MEASURES = new Set(MEASURE_CATALOGUE.measures.map((m) => m.code));

/**
 * The club dashboard (SPEC §7): member schools on the chosen measures for one period, at the
 * protocol's disclosure level, with quartiles and the viewer's own school marked. It shows only
 * what the protocol in force allows, to every viewer and for every school, the viewer's own
 * authority's included: schools in its reach, measures and periods in its scope; nothing of other
 * schools once it is not in force. Own schools are read directly (own tenant, RLS, limited to the
 * protocol's scope); partners' cells and the statistics only through the protocol's database
 * functions, re-read on every request. Under `pseudonymised` and `aggregate` protocols partners'
 * cells and the statistics cover the protocol's whole reach of the club's phase, not the members,
 * so nobody can link a row to a school by changing the members or choosing a small group
 * (docs/sharing.md §10). Every partner read is written to the owner's access log.
 */
@Injectable()
export class ClubDashboardService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly clubs: ClubsService,
    private readonly accessLog: AccessLog,
  ) {}

  async dashboard(
    club: ClubModel,
    measures: string[],
    periodText: string,
  ): Promise<ClubDashboardModel> {
    const principal = this.context.principal();
    const period = checkRequest(measures, periodText);
    const schoolBound = SCHOOL_ROLES.includes(principal.role);
    return this.tx.run(async (m) => {
      if (schoolBound && !(await this.clubs.isMemberSchool(m, club, principal))) {
        throw forbidden(
          `Your school is not a member of the club "${club.name}": a ${principal.role} sees only the dashboards of clubs their school belongs to`,
        );
      }
      const protocol = await protocolNow(m, club);
      const inForce = protocol?.status === 'active' && protocol.version_in_force !== null;
      const disclosure = inForce ? protocol.disclosure : null;
      const members = await m.query<MemberRow[]>(
        `select cm.urn, cm.member_tenant_id, t.la_code from club_members cm join tenants t on t.id = cm.member_tenant_id
         where cm.tenant_id = $1 and cm.club_id = $2 order by cm.urn`,
        [club.coordinator.id, club.id],
      );
      const viewer = { coordinates: false, schoolBound, schoolUrn: principal.schoolUrn };
      const inReach = inForce ? await ownReach(m, club) : new Set<number>();
      const own = members.filter((r) => r.member_tenant_id === principal.tenantId);
      // A school-bound viewer sees another school of their own authority only as a partner would:
      // named, and in the protocol's reach.
      const ownShown = own.filter(
        (r) =>
          identifiesMember(viewer, { urn: r.urn, isOwn: true }, disclosure) &&
          (!schoolBound || r.urn === principal.schoolUrn || inReach.has(r.urn)),
      );
      const partners = members.filter((r) => r.member_tenant_id !== principal.tenantId);

      const ownSchools = inForce
        ? await ownRows(
            m,
            club,
            principal,
            ownShown.filter((r) => inReach.has(r.urn)),
            measures,
            period,
          )
        : [];
      // Identified members appear even without a value: own schools, and partners' when named.
      const listed = [...ownShown, ...(disclosure === 'named' ? partners : [])];
      const names = await namesOf(m, listed);
      const phase = statisticsPhase(
        club,
        protocol,
        schoolBound ? await viewerPhase(m, principal.schoolUrn) : null,
      );
      // The protocol's functions last: the pseudonymised and aggregate ones write the owners'
      // access logs as the sharing role, after which Citus refuses the app role's reads of those
      // owners' shards in the same transaction (docs/scaling.md §9.4).
      const partnerCells =
        inForce && (partners.length || disclosure === 'pseudonymised')
          ? await partnerCellsOf(m, club, partners, measures, period, disclosure)
          : [];
      const statistics = inForce
        ? await statisticsOf(m, club, disclosure, members, measures, period, phase)
        : [];

      // Named reads are logged here; the pseudonymised and aggregate functions log themselves.
      if (disclosure === 'named') {
        await this.accessLog.recordUnderProtocol(
          m,
          dashboardReads(club, protocol, partners, partnerCells, statistics, measures),
        );
      }
      return assemble({
        period,
        measures,
        disclosure,
        inForce,
        protocol,
        ownSchools,
        partnerCells,
        members,
        listed,
        names,
        ownTenantId: principal.tenantId,
        viewerUrn: schoolBound ? principal.schoolUrn : null,
        statistics,
        phaseMissing: inForce && disclosure !== 'named' && phase === null,
      });
    });
  }
}

function checkRequest(measures: string[], periodText: string): number {
  const period = parseClubPeriod(periodText);
  if (period === null) {
    throw badInput(`"${periodText}" is not an academic year like 201819 or 2018/19`, {
      field: 'period',
    });
  }
  if (!measures.length || measures.length > MAX_DASHBOARD_MEASURES) {
    throw badInput(`Choose 1 to ${MAX_DASHBOARD_MEASURES} measures`, { field: 'measures' });
  }
  const unknown = measures.filter((code) => !KNOWN_MEASURES.has(code));
  if (unknown.length) {
    throw badInput(`Not in the measure catalogue: ${unknown.join(', ')} (see the measures query)`, {
      field: 'measures',
    });
  }
  if (new Set(measures).size !== measures.length) {
    throw badInput('Each measure may be chosen once', { field: 'measures' });
  }
  return period;
}

async function protocolNow(m: EntityManager, club: ClubModel): Promise<ProtocolNow | undefined> {
  const [row] = await m.query<ProtocolNow[]>(
    `select p.status, p.version_in_force, v.disclosure, v.min_group_size, v.measures, v.period_from, v.period_to,
            v.phases
     from protocols p
     left join protocol_versions v on v.tenant_id = p.tenant_id and v.protocol_id = p.id and v.version = p.version_in_force
     where p.tenant_id = $1 and p.id = $2`,
    [club.protocolOwnerId, club.protocolId],
  );
  return row;
}

/**
 * The viewer's own schools in the protocol's reach today (phase in scope, not opted out): the
 * reach rows the protocol compiled for the partners, which the owner of the schools may read.
 */
async function ownReach(m: EntityManager, club: ClubModel): Promise<Set<number>> {
  const rows = await m.query<{ urn: number }[]>(
    `select distinct urn from sharing_reach
     where tenant_id = app_current_tenant() and protocol_owner_id = $1 and protocol_id = $2
       and current_date between valid_from and valid_to`,
    [club.protocolOwnerId, club.protocolId],
  );
  return new Set(rows.map((r) => r.urn));
}

/**
 * The viewer's own authority's member schools, read from its own current datasets: only the
 * measures and periods its authority shares under the protocol (the grants it gives).
 */
async function ownRows(
  m: EntityManager,
  club: ClubModel,
  principal: Principal,
  members: MemberRow[],
  measures: string[],
  period: number,
): Promise<CellRow[]> {
  if (!members.length) return [];
  return m.query(
    `select distinct on (o.urn, o.measure) o.tenant_id, o.urn, null as pseudonym, o.measure, o.value, o.suppression
     from observations o
     join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id and d.is_current
     where o.tenant_id = $1 and o.urn = any($2) and o.measure = any($3) and o.time_period = $4
       and o.breakdown = $5
       and exists (select 1 from sharing_grants g
                   where g.tenant_id = o.tenant_id and g.protocol_owner_id = $6 and g.protocol_id = $7
                     and g.measure = o.measure and o.time_period between g.period_from and g.period_to
                     and current_date between g.valid_from and g.valid_to)
     order by o.urn, o.measure, d.published_at desc`,
    [
      principal.tenantId,
      members.map((r) => r.urn),
      measures,
      period,
      HEADLINE_BREAKDOWN,
      club.protocolOwnerId,
      club.protocolId,
    ],
  );
}

/** The school-bound viewer's school's phase, from their own register. */
async function viewerPhase(m: EntityManager, urn: number | null): Promise<string | null> {
  if (urn === null) return null;
  const [row] = await m.query<{ phase: string | null }[]>(
    'select phase from schools where tenant_id = app_current_tenant() and urn = $1',
    [urn],
  );
  return row?.phase ?? null;
}

/**
 * The phase whose reach the statistics of a pseudonymised or aggregate club cover: the club's,
 * else the protocol's only phase, else the viewer's school's. Phases partition the reach, so
 * no two groups a requester can ask for overlap.
 */
function statisticsPhase(
  club: ClubModel,
  protocol: ProtocolNow | undefined,
  viewersPhase: string | null,
): string | null {
  if (club.phase) return club.phase;
  if (protocol?.phases?.length === 1) return protocol.phases[0];
  return viewersPhase;
}

/**
 * Named: quartiles over the members (their values are shown by name anyway). Pseudonymised and
 * aggregate: over the protocol's whole partner reach of one phase, from at least 10 schools.
 */
async function statisticsOf(
  m: EntityManager,
  club: ClubModel,
  disclosure: Disclosure | null,
  members: MemberRow[],
  measures: string[],
  period: number,
  phase: string | null,
): Promise<StatisticRow[]> {
  if (disclosure === 'named') {
    if (!members.length) return [];
    return m.query<StatisticRow[]>(
      `select measure, n, partner_n, withheld, q1, median, q3, min_group_size
       from protocol_statistics($1, $2, $3, $4, $5)`,
      [club.protocolOwnerId, club.protocolId, members.map((r) => r.urn), measures, [period]],
    );
  }
  if (phase === null) return [];
  return m.query<StatisticRow[]>(
    `select measure, n, partner_n, withheld, q1, median, q3, min_group_size
     from protocol_reach_statistics($1, $2, $3, $4, $5, 'club.dashboard.statistics')`,
    [club.protocolOwnerId, club.protocolId, phase, measures, [period]],
  );
}

/**
 * Partners' cells at the protocol's level. Named: the members' cells through `club_cells`.
 * Pseudonymised: every partner school of the club's phase in reach, through `club_reach_cells`
 * (no URNs; values DfE publishes withheld as `x`), which logs the read itself.
 */
async function partnerCellsOf(
  m: EntityManager,
  club: ClubModel,
  partners: MemberRow[],
  measures: string[],
  period: number,
  disclosure: Disclosure | null,
): Promise<CellRow[]> {
  if (disclosure !== 'named' && disclosure !== 'pseudonymised') return [];
  const cells = await m.query<CellRow[]>(
    `select c.tenant_id, c.urn, c.pseudonym, c.measure, c.value, c.suppression
     from ${disclosure === 'named' ? 'club_cells' : 'club_reach_cells'}($1, $2, $3, $4) c
     where c.breakdown = $5
     order by c.tenant_id, coalesce(c.urn::text, c.pseudonym), c.measure`,
    [club.coordinator.id, club.id, measures, [period], HEADLINE_BREAKDOWN],
  );
  if (disclosure === 'pseudonymised') return cells.map((c) => ({ ...c, urn: null }));
  const members = new Set(partners.map((r) => `${r.member_tenant_id}:${r.urn}`));
  return cells.filter((c) => members.has(`${c.tenant_id}:${c.urn}`));
}

/** School names as row-level security lets the viewer see them (own, named grant, or DfE's register). */
async function namesOf(m: EntityManager, members: MemberRow[]): Promise<Map<string, string>> {
  if (!members.length) return new Map();
  const rows = await m.query<{ tenant_id: string; urn: number; name: string }[]>(
    `select distinct on (x.tenant_id, x.urn) x.tenant_id, x.urn, s.name
     from unnest($1::uuid[], $2::int[]) as x(tenant_id, urn)
     join schools s on s.urn = x.urn and s.tenant_id in (x.tenant_id, app_public_tenant())
     order by x.tenant_id, x.urn, s.tenant_id = x.tenant_id desc`,
    [members.map((r) => r.member_tenant_id), members.map((r) => r.urn)],
  );
  return new Map(rows.map((r) => [`${r.tenant_id}:${r.urn}`, r.name]));
}

/** One entry per partner authority for its cells, and one for statistics its schools fed. */
function dashboardReads(
  club: ClubModel,
  protocol: ProtocolNow | undefined,
  partners: MemberRow[],
  cells: CellRow[],
  statistics: StatisticRow[],
  measures: string[],
): ProtocolRead[] {
  const version = protocol?.version_in_force;
  if (!version) return [];
  const named = protocol.disclosure === 'named';
  const base = {
    protocolOwnerId: club.protocolOwnerId,
    protocolId: club.protocolId,
    protocolVersion: version,
  };
  const entries: ProtocolRead[] = [];
  const owners = new Set([
    ...cells.map((c) => c.tenant_id),
    ...partners.map((p) => p.member_tenant_id),
  ]);
  const fed = statistics.filter((s) => s.partner_n > 0);
  for (const owner of owners) {
    const theirs = cells.filter((c) => c.tenant_id === owner);
    const memberUrns = partners.filter((p) => p.member_tenant_id === owner).map((p) => p.urn);
    // Named members are listed by URN and name even without values; pseudonymised cells name no
    // school, so the owner sees which of its members were asked for.
    if (theirs.length || (named && memberUrns.length)) {
      entries.push({
        ...base,
        ownerTenantId: owner,
        operation: 'club.dashboard',
        urns: memberUrns,
        measures: [...new Set(theirs.map((c) => c.measure))],
        rowCount: theirs.length,
      });
    }
    if (fed.length && memberUrns.length) {
      entries.push({
        ...base,
        ownerTenantId: owner,
        operation: 'club.dashboard.statistics',
        urns: memberUrns,
        measures: measures.filter((code) => fed.some((s) => s.measure === code)),
        rowCount: fed.length,
      });
    }
  }
  return entries;
}

function assemble(input: {
  period: number;
  measures: string[];
  disclosure: Disclosure | null;
  inForce: boolean;
  protocol: ProtocolNow | undefined;
  ownSchools: CellRow[];
  partnerCells: CellRow[];
  members: MemberRow[];
  /** Members shown by URN, with or without values. */
  listed: MemberRow[];
  names: Map<string, string>;
  ownTenantId: string;
  /** A headteacher's or governor's school; null for authority staff (all own schools are theirs). */
  viewerUrn: number | null;
  statistics: StatisticRow[];
  /** Pseudonymised or aggregate statistics need a phase, and none could be told. */
  phaseMissing: boolean;
}): ClubDashboardModel {
  const p = input.protocol;
  const periodInScope =
    p?.period_from != null &&
    p.period_to != null &&
    input.period >= p.period_from &&
    input.period <= p.period_to;
  const statistics: ClubMeasureStatisticsModel[] = input.measures.map((measure) => {
    const s = input.statistics.find((x) => x.measure === measure);
    const inScope = Boolean(periodInScope && p?.measures?.includes(measure));
    const quartiles = { q1: s?.q1 ?? null, median: s?.median ?? null, q3: s?.q3 ?? null };
    return {
      measure,
      inScope,
      n: s?.n ?? 0,
      partnerN: s?.partner_n ?? 0,
      withheld: s?.withheld ?? 0,
      minGroupSize: s?.min_group_size ?? p?.min_group_size ?? null,
      ...quartiles,
      withheldReason: withheldReason({
        inForce: input.inForce,
        inScope,
        partnerN: s?.partner_n ?? 0,
        minGroupSize: s?.min_group_size ?? p?.min_group_size ?? null,
        quartilesShown: quartiles.median !== null,
        phaseMissing: input.phaseMissing,
      }),
    };
  });
  const quartilesOf = new Map<string, Quartiles>(statistics.map((s) => [s.measure, s]));
  const laCodeOf = new Map(input.members.map((r) => [r.member_tenant_id, r.la_code]));

  const schools = new Map<string, ClubDashboardSchoolModel>();
  const schoolOf = (tenantId: string, urn: number | null, pseudonym: string | null) => {
    const key = `${tenantId}:${urn ?? pseudonym}`;
    let school = schools.get(key);
    if (!school) {
      const isOwn = tenantId === input.ownTenantId;
      school = {
        urn,
        name: urn === null ? null : (input.names.get(key) ?? null),
        pseudonym,
        laCode: laCodeOf.get(tenantId) ?? null,
        isOwn,
        isViewer: isOwn && (input.viewerUrn === null || input.viewerUrn === urn),
        values: [],
      };
      schools.set(key, school);
    }
    return school;
  };
  for (const r of input.listed) schoolOf(r.member_tenant_id, r.urn, null);
  const add = (cell: CellRow) => {
    schoolOf(cell.tenant_id, cell.urn, cell.pseudonym).values.push({
      measure: cell.measure,
      value: cell.value,
      suppression: cell.suppression,
      quartile: quartileOf(cell.value, quartilesOf.get(cell.measure) ?? NO_QUARTILES),
    });
  };
  for (const cell of [...input.ownSchools, ...input.partnerCells]) add(cell);
  for (const school of schools.values()) {
    school.values.sort(
      (a, b) => input.measures.indexOf(a.measure) - input.measures.indexOf(b.measure),
    );
  }
  return {
    period: String(input.period),
    measures: input.measures,
    disclosure: input.disclosure,
    sharing: input.inForce,
    schools: [...schools.values()].sort(
      (a, b) =>
        Number(b.isViewer) - Number(a.isViewer) ||
        Number(b.isOwn) - Number(a.isOwn) ||
        (a.laCode ?? '').localeCompare(b.laCode ?? '') ||
        String(a.urn ?? a.pseudonym).localeCompare(String(b.urn ?? b.pseudonym)),
    ),
    statistics,
  };
}

const NO_QUARTILES: Quartiles = { q1: null, median: null, q3: null };
