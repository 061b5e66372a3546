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
 * The club dashboard (SPEC §7): every member school on the chosen measures for one period, at the
 * protocol's disclosure level, with quartiles over the members and the viewer's own school
 * marked. Own schools are read directly (own tenant, RLS); partners' cells and the statistics
 * only through the protocol's database functions, re-read on every request so a revoked
 * protocol shows nothing on the next one. Every partner read is written to the access log.
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
      const own = members.filter((r) => r.member_tenant_id === principal.tenantId);
      const ownShown = own.filter((r) =>
        identifiesMember(viewer, { urn: r.urn, isOwn: true }, club.disclosure),
      );
      const partners = members.filter((r) => r.member_tenant_id !== principal.tenantId);

      const ownSchools = await ownRows(m, principal, ownShown, measures, period);
      const partnerCells =
        inForce && partners.length
          ? await partnerCellsOf(m, club, partners, measures, period, disclosure)
          : [];
      // Identified members appear even without a value: own schools, and partners' when named.
      const listed = [...ownShown, ...(disclosure === 'named' ? partners : [])];
      const names = await namesOf(m, listed);
      const statistics =
        inForce && members.length
          ? await m.query<StatisticRow[]>(
              `select measure, n, partner_n, withheld, q1, median, q3, min_group_size
             from protocol_statistics($1, $2, $3, $4, $5)`,
              [
                club.protocolOwnerId,
                club.protocolId,
                members.map((r) => r.urn),
                measures,
                [period],
              ],
            )
          : [];

      await this.accessLog.recordUnderProtocol(
        m,
        dashboardReads(club, protocol, partners, partnerCells, statistics, measures),
      );
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
    `select p.status, p.version_in_force, v.disclosure, v.min_group_size, v.measures, v.period_from, v.period_to
     from protocols p
     left join protocol_versions v on v.tenant_id = p.tenant_id and v.protocol_id = p.id and v.version = p.version_in_force
     where p.tenant_id = $1 and p.id = $2`,
    [club.protocolOwnerId, club.protocolId],
  );
  return row;
}

/** The viewer's own authority's member schools, read from its own current datasets. */
async function ownRows(
  m: EntityManager,
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
     order by o.urn, o.measure, d.published_at desc`,
    [principal.tenantId, members.map((r) => r.urn), measures, period, HEADLINE_BREAKDOWN],
  );
}

/**
 * Partners' member schools through `club_cells`, at the protocol's level: the database matches
 * members to their cells (pseudonymised cells carry no URN, and the app cannot link them).
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
     from club_cells($1, $2, $3, $4) c
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
