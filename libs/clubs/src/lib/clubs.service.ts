import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  badInput,
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  type Connection,
} from '@schoolbench/graphql';
import { AccessLog, type ProtocolRead } from '@schoolbench/sharing';
import {
  SCHOOL_ROLES,
  TenantContext,
  TenantTransactions,
  type Principal,
} from '@schoolbench/tenancy';

import { identifiesMember, isUuid, OPEN_PROTOCOL_STATES, type Disclosure } from './club-rules';
import { CreateClubInput } from './dto/create-club.input';
import { ClubMemberModel, ClubModel } from './models/club.model';

interface ClubRow {
  tenant_id: string;
  id: string;
  name: string;
  phase: string | null;
  protocol_owner_id: string;
  protocol_id: string;
  parties: string[];
  created_at: Date;
  coordinator_name: string;
  coordinator_la_code: string | null;
  protocol_status: string | null;
  current_version: number | null;
  version_in_force: number | null;
  disclosure: Disclosure | null;
  disclosure_in_force: Disclosure | null;
}

interface MemberRow {
  club_id: string;
  urn: number;
  member_tenant_id: string;
  la_code: string | null;
  added_at: Date;
  name: string | null;
}

/** A club with what its protocol currently says; row-level security admits coordinator and parties. */
const CLUB_SELECT = `
  select c.tenant_id, c.id, c.name, c.phase, c.protocol_owner_id, c.protocol_id, c.parties, c.created_at,
         t.name as coordinator_name, t.la_code as coordinator_la_code,
         p.status as protocol_status, p.current_version, p.version_in_force, v.disclosure,
         f.disclosure as disclosure_in_force
  from clubs c
  join tenants t on t.id = c.tenant_id
  left join protocols p on p.tenant_id = c.protocol_owner_id and p.id = c.protocol_id
  left join protocol_versions v on v.tenant_id = p.tenant_id and v.protocol_id = p.id
   and v.version = coalesce(p.version_in_force, p.current_version)
  left join protocol_versions f on f.tenant_id = p.tenant_id and f.protocol_id = p.id
   and f.version = p.version_in_force and p.status = 'active'`;

/** A school-bound viewer sees only clubs their school belongs to. */
const SCHOOL_MEMBER = `exists (select 1 from club_members own where own.tenant_id = c.tenant_id
  and own.club_id = c.id and own.member_tenant_id = $1 and own.urn = $2)`;

/**
 * Clubs (SPEC §7): creating them, managing membership and listing members. The coordinating
 * authority manages the list; a member's own authority (or its headteacher) may take it out.
 * Row-level security is the floor; the checks here give the reasons.
 */
@Injectable()
export class ClubsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly accessLog: AccessLog,
  ) {}

  async list(first: number, after?: string): Promise<Connection<ClubModel>> {
    const principal = this.context.principal();
    const schoolBound = SCHOOL_ROLES.includes(principal.role);
    const cursor = after ? decodeCursor(after, 2) : null;
    return this.tx.run(async (m) => {
      const where = `($3::boolean = false or ${SCHOOL_MEMBER})`;
      const params = [principal.tenantId, principal.schoolUrn, schoolBound];
      const [{ count }] = await m.query<{ count: number }[]>(
        `select count(*)::int as count from clubs c where ${where}`,
        params,
      );
      const rows = await m.query<ClubRow[]>(
        `${CLUB_SELECT} where ${where}
           and ($4::text is null or (c.name, c.id) > ($4::text, $5::uuid))
         order by c.name, c.id limit $6`,
        [...params, cursor?.[0] ?? null, cursor?.[1] ?? null, first + 1],
      );
      const nodes = rows.slice(0, first).map((r) => toClubModel(r, principal));
      const last = nodes[nodes.length - 1];
      return {
        nodes,
        totalCount: count,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last ? encodeCursor([last.name, last.id]) : null,
        },
      };
    });
  }

  /** One club the caller's authority may see; a headteacher or governor only their school's. */
  async get(id: string): Promise<ClubModel> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const club = await this.find(m, id, principal);
      if (
        SCHOOL_ROLES.includes(principal.role) &&
        !(await this.isMemberSchool(m, club, principal))
      ) {
        throw forbidden(
          `Your school is not a member of the club "${club.name}": a ${principal.role} sees only clubs their school belongs to`,
        );
      }
      return club;
    });
  }

  async create(input: CreateClubInput): Promise<ClubModel> {
    const principal = this.context.principal();
    const name = input.name.trim();
    if (!name || name.length > 200) {
      throw badInput('A club name has 1 to 200 characters', { field: 'name' });
    }
    const phase = input.phase?.trim() || null;
    if (phase && phase.length > 40) {
      throw badInput('A phase has at most 40 characters', { field: 'phase' });
    }
    return this.tx.run(async (m) => {
      const protocol = isUuid(input.protocolId)
        ? (
            await m.query<
              { tenant_id: string; status: string; parties: string[]; title: string }[]
            >(
              `select p.tenant_id, p.status, v.parties, v.title
               from protocols p
               join protocol_versions v on v.tenant_id = p.tenant_id and v.protocol_id = p.id
                and v.version = p.current_version
               where p.id = $1`,
              [input.protocolId],
            )
          )[0]
        : undefined;
      if (!protocol) throw notFound(`Protocol ${input.protocolId}`);
      // The club's audience is the current version's parties, not every past party.
      if (!protocol.parties.includes(principal.tenantId)) {
        throw forbidden(
          `Your authority is not a party to the current version of "${protocol.title}": only its parties create clubs under it`,
        );
      }
      if (!OPEN_PROTOCOL_STATES.includes(protocol.status)) {
        throw badInput(
          `The protocol "${protocol.title}" is ${protocol.status}: a club can be bound only to a proposed or active protocol`,
          { field: 'protocolId' },
        );
      }
      const [taken] = await m.query<unknown[]>(
        'select 1 from clubs where tenant_id = $1 and name = $2',
        [principal.tenantId, name],
      );
      if (taken)
        throw badInput(`Your authority already runs a club named "${name}"`, { field: 'name' });
      const id = randomUUID();
      await m.query(
        `insert into clubs (tenant_id, id, name, protocol_owner_id, protocol_id, phase, parties, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          principal.tenantId,
          id,
          name,
          protocol.tenant_id,
          input.protocolId,
          phase,
          protocol.parties,
          isUuid(principal.userId) ? principal.userId : null,
        ],
      );
      return this.find(m, id, principal);
    });
  }

  /**
   * Adds a school by URN. Its authority is the one whose register holds it (own, or a partner's
   * shared under a grant) or, for a school known only from DfE's published register, the
   * authority with its LA code. That authority must be a party to the club's protocol.
   */
  async addMember(clubId: string, urn: number): Promise<ClubModel> {
    const principal = this.context.principal();
    checkUrn(urn);
    return this.tx.run(async (m) => {
      const club = await this.find(m, clubId, principal);
      this.mustCoordinate(club, principal);
      if (!OPEN_PROTOCOL_STATES.includes(club.protocolStatus)) {
        throw badInput(
          `The club's protocol is ${club.protocolStatus}: no school can join until it is proposed or active again`,
          { field: 'clubId' },
        );
      }
      const [already] = await m.query<unknown[]>(
        'select 1 from club_members where tenant_id = $1 and club_id = $2 and urn = $3',
        [club.coordinator.id, club.id, urn],
      );
      if (already)
        throw badInput(`School ${urn} is already a member of this club`, { field: 'urn' });

      const [school] = await m.query<
        { tenant_id: string; la_code: string | null; phase: string | null; kind: string }[]
      >(
        `select s.tenant_id, s.la_code, s.phase, t.kind from schools s join tenants t on t.id = s.tenant_id
         where s.urn = $1
         order by s.tenant_id = $2 desc, t.kind = 'public'`,
        [urn, principal.tenantId],
      );
      if (!school) {
        throw badInput(
          `School ${urn} is not in your register, in DfE's published register or shared with your authority, so its authority cannot be told`,
          { field: 'urn' },
        );
      }
      const authority = await this.authorityOf(m, school);
      if (!authority) {
        throw badInput(
          `School ${urn} is in LA ${school.la_code ?? '(unknown)'}, which is not an authority on SchoolBench: only schools of the protocol's parties can join`,
          { field: 'urn' },
        );
      }
      if (!club.parties.includes(authority.id)) {
        throw badInput(
          `School ${urn} belongs to ${authority.name} (LA ${authority.la_code ?? '?'}), which is not a party to the club's protocol: only schools of its parties can join`,
          { field: 'urn' },
        );
      }
      if (club.phase && school.phase && club.phase.toLowerCase() !== school.phase.toLowerCase()) {
        throw badInput(
          `School ${urn} is a ${school.phase} school; the club "${club.name}" is for ${club.phase} schools`,
          { field: 'urn' },
        );
      }
      await m.query(
        `insert into club_members (tenant_id, club_id, member_tenant_id, urn, parties)
         values ($1, $2, $3, $4, $5)`,
        [club.coordinator.id, club.id, authority.id, urn, club.parties],
      );
      return club;
    });
  }

  async removeMember(clubId: string, urn: number): Promise<ClubModel> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const club = await this.find(m, clubId, principal);
      this.mustCoordinate(club, principal);
      const removed = await m.query<unknown[]>(
        'delete from club_members where tenant_id = $1 and club_id = $2 and urn = $3 returning urn',
        [club.coordinator.id, club.id, urn],
      );
      // pg returns [rows, count] for a DELETE … RETURNING through TypeORM.
      if (!deletedRows(removed)) throw notFound(`School ${urn} in the club "${club.name}"`);
      return club;
    });
  }

  /** A member school leaves: its headteacher for their own school, or its authority's LA admin. */
  async leave(clubId: string, urn: number): Promise<boolean> {
    const principal = this.context.principal();
    if (SCHOOL_ROLES.includes(principal.role) && principal.schoolUrn !== urn) {
      throw forbidden(`A ${principal.role} can take only their own school out of a club`);
    }
    return this.tx.run(async (m) => {
      const club = await this.find(m, clubId, principal);
      const [member] = await m.query<{ member_tenant_id: string }[]>(
        'select member_tenant_id from club_members where tenant_id = $1 and club_id = $2 and urn = $3',
        [club.coordinator.id, club.id, urn],
      );
      if (!member) throw notFound(`School ${urn} in the club "${club.name}"`);
      if (member.member_tenant_id !== principal.tenantId) {
        throw forbidden(
          `School ${urn} is not one of your authority's schools: only its own authority or headteacher takes it out (the coordinator uses removeClubMember)`,
        );
      }
      await m.query(
        'delete from club_members where tenant_id = $1 and club_id = $2 and urn = $3 and member_tenant_id = $4',
        [club.coordinator.id, club.id, urn, principal.tenantId],
      );
      return true;
    });
  }

  /**
   * Every school of the caller's authority leaves every club, its own and other authorities'
   * (when the authority leaves SchoolBench). Returns how many memberships ended.
   */
  async withdrawAuthority(): Promise<number> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const removed = await m.query<[unknown[], number]>(
        'delete from club_members where member_tenant_id = $1 returning urn',
        [principal.tenantId],
      );
      return removed[1];
    });
  }

  /**
   * Members of many clubs at once (the DataLoader batch behind `Club.members`), identified as the
   * protocol allows. Listing a partner's school by URN is a cross-tenant read: it is logged.
   */
  async membersOf(clubs: readonly ClubModel[]): Promise<ClubMemberModel[][]> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      // Members first, then their names in a second query: Citus cannot run the name lookup as
      // a subquery correlated across tenants' shards. The member's own row (when the caller may
      // read it) wins over the public register's.
      const members = await m.query<(Omit<MemberRow, 'name'> & { club_tenant_id: string })[]>(
        `select cm.tenant_id as club_tenant_id, cm.club_id, cm.urn, cm.member_tenant_id,
                cm.added_at, t.la_code
         from club_members cm join tenants t on t.id = cm.member_tenant_id
         where cm.tenant_id = any($1::uuid[]) and cm.club_id = any($2::uuid[])
         order by cm.member_tenant_id <> $3, t.la_code, cm.urn`,
        [clubs.map((c) => c.coordinator.id), clubs.map((c) => c.id), principal.tenantId],
      );
      const names = members.length
        ? await m.query<{ tenant_id: string; urn: number; name: string; public: boolean }[]>(
            `select tenant_id, urn, name, tenant_id = app_public_tenant() as public from schools
             where urn = any($1::int[])
               and (tenant_id = any($2::uuid[]) or tenant_id = app_public_tenant())`,
            [
              [...new Set(members.map((r) => r.urn))],
              [...new Set(members.map((r) => r.member_tenant_id))],
            ],
          )
        : [];
      const rows: MemberRow[] = members
        .filter((r) =>
          clubs.some((c) => c.coordinator.id === r.club_tenant_id && c.id === r.club_id),
        )
        .map(({ club_tenant_id: _club, ...r }) => ({
          ...r,
          name:
            (
              names.find((n) => n.tenant_id === r.member_tenant_id && n.urn === r.urn) ??
              names.find((n) => n.public && n.urn === r.urn)
            )?.name ?? null,
        }));
      const reads: ProtocolRead[] = [];
      const result = clubs.map((club) => {
        const members = rows.filter((r) => r.club_id === club.id);
        const viewer = {
          coordinates: club.isCoordinator,
          schoolBound: SCHOOL_ROLES.includes(principal.role),
          schoolUrn: principal.schoolUrn,
        };
        const listed = members.map((r) => {
          const isOwn = r.member_tenant_id === principal.tenantId;
          // Only a protocol in force identifies anyone beyond what the viewer manages or owns.
          const shown = identifiesMember(viewer, { urn: r.urn, isOwn }, club.disclosureInForce);
          return {
            row: r,
            model: {
              urn: shown ? r.urn : null,
              name: shown ? r.name : null,
              pseudonym: null,
              laCode: r.la_code,
              isOwn,
              isViewer: isOwn && (!viewer.schoolBound || r.urn === principal.schoolUrn),
              addedAt: r.added_at,
            } satisfies ClubMemberModel,
          };
        });
        reads.push(...partnerListings(club, principal, listed));
        return listed.map((l) => l.model);
      });
      await this.accessLog.recordUnderProtocol(m, reads);
      return result;
    });
  }

  async find(m: EntityManager, id: string, principal: Principal): Promise<ClubModel> {
    const [row] = isUuid(id)
      ? await m.query<ClubRow[]>(`${CLUB_SELECT} where c.id = $1`, [id])
      : [];
    if (!row) throw notFound(`Club ${id}`);
    return toClubModel(row, principal);
  }

  async isMemberSchool(m: EntityManager, club: ClubModel, principal: Principal): Promise<boolean> {
    const [row] = await m.query<unknown[]>(
      `select 1 from club_members where tenant_id = $1 and club_id = $2 and member_tenant_id = $3 and urn = $4`,
      [club.coordinator.id, club.id, principal.tenantId, principal.schoolUrn],
    );
    return Boolean(row);
  }

  private mustCoordinate(club: ClubModel, principal: Principal): void {
    if (!club.isCoordinator || principal.role !== 'la_admin') {
      throw forbidden(
        `Only an LA admin of ${club.coordinator.name}, which runs the club "${club.name}", manages its members`,
      );
    }
  }

  private async authorityOf(
    m: EntityManager,
    school: { tenant_id: string; la_code: string | null; kind: string },
  ): Promise<{ id: string; name: string; la_code: string | null } | undefined> {
    const [tenant] =
      school.kind === 'authority'
        ? await m.query<{ id: string; name: string; la_code: string | null }[]>(
            'select id, name, la_code from tenants where id = $1',
            [school.tenant_id],
          )
        : school.la_code
          ? await m.query<{ id: string; name: string; la_code: string | null }[]>(
              "select id, name, la_code from tenants where la_code = $1 and kind = 'authority'",
              [school.la_code],
            )
          : [];
    return tenant;
  }
}

function toClubModel(r: ClubRow, principal: Principal): ClubModel {
  return {
    id: r.id,
    name: r.name,
    phase: r.phase,
    protocolId: r.protocol_id,
    protocolStatus: r.protocol_status ?? 'unknown',
    disclosure: r.disclosure,
    disclosureInForce: r.disclosure_in_force,
    coordinator: { id: r.tenant_id, name: r.coordinator_name, laCode: r.coordinator_la_code },
    isCoordinator: r.tenant_id === principal.tenantId,
    createdAt: r.created_at,
    protocolOwnerId: r.protocol_owner_id,
    versionInForce: r.version_in_force,
    currentVersion: r.current_version ?? 1,
    parties: r.parties,
  };
}

/**
 * One log entry per partner authority whose schools the listing named. Only while the protocol is
 * in force: otherwise the only viewer shown partners' URNs is the coordinator, listing the URNs it
 * entered itself (names from DfE's register; partners' registers are closed to it), which reads
 * nothing under the protocol, and the log, which admits entries only under a grant, has nothing
 * to record.
 */
function partnerListings(
  club: ClubModel,
  principal: Principal,
  listed: { row: MemberRow; model: ClubMemberModel }[],
): ProtocolRead[] {
  const version = club.versionInForce;
  if (version === null) return [];
  const byOwner = new Map<string, number[]>();
  for (const { row, model } of listed) {
    if (row.member_tenant_id === principal.tenantId || model.urn === null) continue;
    byOwner.set(row.member_tenant_id, [...(byOwner.get(row.member_tenant_id) ?? []), row.urn]);
  }
  return [...byOwner].map(([owner, urns]) => ({
    ownerTenantId: owner,
    protocolOwnerId: club.protocolOwnerId,
    protocolId: club.protocolId,
    protocolVersion: version,
    operation: 'club.members',
    urns,
    measures: [],
    rowCount: urns.length,
  }));
}

function checkUrn(urn: number): void {
  if (!Number.isInteger(urn) || urn < 100000 || urn > 999999) {
    throw badInput(`URN ${urn} is not a six-digit Unique Reference Number`, { field: 'urn' });
  }
}

function deletedRows(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') {
    return result[1];
  }
  return Array.isArray(result) ? result.length : 0;
}
