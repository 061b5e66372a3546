import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';
import { badInput, forbidden, notFound } from '@schoolbench/graphql';
import {
  checkProtocolAction,
  formatAcademicPeriod,
  normaliseProtocolTerms,
  ProtocolRuleError,
  ProtocolTermsError,
  type ProtocolAction,
  type ProtocolState,
  type ProtocolStatus as ProtocolStatusCode,
  type ProtocolTerms,
} from '@schoolbench/sharing-core';
import { TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import {
  DisclosureLevel,
  ProtocolModel,
  ProtocolStatus,
  ProtocolTermsInput,
  ProtocolVersionModel,
} from './models/protocol.model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ProtocolRow {
  tenant_id: string;
  id: string;
  status: ProtocolStatusCode;
  current_version: number;
  version_in_force: number | null;
  parties: string[];
  created_at: Date;
  updated_at: Date;
}

interface VersionRow {
  version: number;
  title: string;
  purpose: string;
  parties: string[];
  scope_categories: string[];
  scope_measures: string[];
  measures: string[];
  period_from: number;
  period_to: number;
  phases: string[];
  disclosure: DisclosureLevel;
  min_group_size: number;
  small_cohort_threshold: number;
  valid_from: string;
  valid_to: string;
  created_at: Date;
}

const PROTOCOL_COLUMNS =
  'tenant_id, id, status, current_version, version_in_force, parties, created_at, updated_at';
const VERSION_COLUMNS = `version, title, purpose, parties, scope_categories, scope_measures, measures,
  period_from, period_to, phases, disclosure, min_group_size, small_cohort_threshold,
  to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to, created_at`;

/**
 * Data-sharing protocols: the owner writes its own protocol under its RLS context; signing and
 * the compilation of grants cross tenants and happen in the database's security-definer
 * functions (`protocol_sign`, `protocol_settle`), in the same transaction as the change.
 */
@Injectable()
export class ProtocolsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  async list(status?: ProtocolStatus): Promise<ProtocolModel[]> {
    return this.tx.run(async (m) => {
      const rows = await m.query<ProtocolRow[]>(
        `select ${PROTOCOL_COLUMNS} from protocols
         where ($1::text is null or status = $1) order by created_at desc, id`,
        [status ?? null],
      );
      return this.models(m, rows);
    });
  }

  async get(id: string): Promise<ProtocolModel> {
    return this.tx.run(async (m) => this.model(m, await this.row(m, id)));
  }

  async create(input: ProtocolTermsInput): Promise<ProtocolModel> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const terms = await this.terms(m, input, principal.tenantId);
      const id = randomUUID();
      await m.query(
        `insert into protocols (tenant_id, id, status, current_version, parties, created_by)
         values ($1, $2, 'draft', 1, $3, $4)`,
        [principal.tenantId, id, terms.parties, principal.userId],
      );
      await this.insertVersion(m, id, 1, terms);
      await this.event(m, id, 1, 'created');
      return this.model(m, await this.row(m, id));
    });
  }

  async propose(id: string): Promise<ProtocolModel> {
    return this.transition(id, 'propose', (m, row, next) => this.step(m, row, 'propose', next));
  }

  /** Signs the current version; `version` guards against signing terms you have not read. */
  async sign(id: string, version?: number): Promise<ProtocolModel> {
    return this.transition(id, 'sign', async (m, row) => {
      if (version !== undefined && version !== row.current_version) {
        throw badInput(
          `Version ${version} is not the current version of this protocol (it is ${row.current_version}): read the amended terms and sign those`,
          { field: 'version' },
        );
      }
      await this.database(() =>
        m.query('select protocol_sign($1, $2, $3)', [row.tenant_id, row.id, row.current_version]),
      );
    });
  }

  async amend(id: string, input: ProtocolTermsInput): Promise<ProtocolModel> {
    const principal = this.context.principal();
    return this.transition(id, 'amend', async (m, row, next) => {
      const t = await this.terms(m, input, principal.tenantId);
      // By column name, as protocol_owner_step reads them (jsonb_populate_record).
      const terms = {
        title: t.title,
        purpose: t.purpose,
        parties: t.parties,
        scope_categories: t.categories,
        scope_measures: t.scopeMeasures,
        measures: t.measures,
        period_from: t.periodFrom,
        period_to: t.periodTo,
        phases: t.phases,
        disclosure: t.disclosure,
        min_group_size: t.minGroupSize,
        small_cohort_threshold: t.smallCohortThreshold,
        valid_from: t.validFrom,
        valid_to: t.validTo,
      };
      await this.step(m, row, 'amend', next, terms);
    });
  }

  async suspend(id: string, reason?: string): Promise<ProtocolModel> {
    return this.transition(id, 'suspend', (m, row, next) =>
      this.step(m, row, 'suspend', next, null, reason),
    );
  }

  async revoke(id: string, reason?: string): Promise<ProtocolModel> {
    return this.transition(id, 'revoke', (m, row, next) =>
      this.step(m, row, 'revoke', next, null, reason),
    );
  }

  /** Withdraws one school of the caller's authority from the protocol. */
  async optOut(id: string, urn: number): Promise<ProtocolModel> {
    const principal = this.context.principal();
    if (
      principal.role !== 'la_admin' &&
      !(principal.role === 'headteacher' && principal.schoolUrn === urn)
    ) {
      throw forbidden(
        'Only the school’s headteacher or its authority’s LA admin can opt a school out',
      );
    }
    return this.transition(id, 'optOut', async (m, row) => {
      const [school] = await m.query<{ urn: number }[]>(
        'select urn from schools where tenant_id = $1 and urn = $2',
        [principal.tenantId, urn],
      );
      if (!school) {
        throw badInput(`School ${urn} is not in your authority’s register`, { field: 'urn' });
      }
      // The opt-out and the settling in one definer function: one role writes and reads them.
      const [{ inserted }] = await this.database(() =>
        m.query<{ inserted: boolean }[]>('select protocol_opt_out($1, $2, $3) as inserted', [
          row.tenant_id,
          row.id,
          urn,
        ]),
      );
      if (!inserted) {
        throw badInput(`School ${urn} has already opted out of this protocol`, { field: 'urn' });
      }
    });
  }

  /** Expiry on time: what the scheduled job runs. Returns how many protocols expired. */
  async expireDue(): Promise<number> {
    const [row] = await this.tx.runOutsideTenant((m) =>
      m.query<{ expired: number }[]>('select protocols_expire_due() as expired'),
    );
    return row?.expired ?? 0;
  }

  private async transition(
    id: string,
    action: ProtocolAction,
    apply: (m: EntityManager, row: ProtocolRow, next: ProtocolStatusCode) => Promise<void>,
  ): Promise<ProtocolModel> {
    const principal = this.context.principal();
    await this.tx.run(async (m) => {
      // Owners lock their protocol against concurrent changes, as the sharing role
      // (protocol_lock): every lock and write of the step is that role's, in protocol_owner_step
      // or protocol_sign. On Citus a row locked by the app role and then by a definer function
      // is two backends of one transaction waiting on each other (docs/scaling.md §9.4). A party
      // cannot lock another tenant's row; protocol_sign locks it in the database.
      let row = await this.row(m, id);
      if (row.tenant_id === principal.tenantId) row = await this.locked(m, id);
      const state = await this.state(m, row);
      let next: ProtocolStatusCode;
      try {
        next = checkProtocolAction(state, action, principal);
      } catch (error) {
        if (error instanceof ProtocolRuleError) {
          throw action === 'sign' || action === 'optOut'
            ? badInput(error.message, { field: 'id' })
            : row.tenant_id === principal.tenantId
              ? badInput(error.message, { field: 'id' })
              : forbidden(error.message);
        }
        throw error;
      }
      await apply(m, row, next);
    });
    // Read after the commit: on Citus the step's rows were written over the sharing role's
    // connections, which the app role's may not read in the same transaction ("modified in
    // this transaction by a different user").
    return this.get(id);
  }

  /** An owner's step: its writes and the settling, as the sharing role (protocol_owner_step). */
  private async step(
    m: EntityManager,
    row: ProtocolRow,
    action: 'propose' | 'amend' | 'suspend' | 'revoke',
    next: ProtocolStatusCode,
    terms: Record<string, unknown> | null = null,
    reason?: string,
  ): Promise<void> {
    await this.database(() =>
      m.query('select protocol_owner_step($1, $2, $3, $4, $5)', [
        row.id,
        action,
        next,
        terms,
        reason ?? null,
      ]),
    );
  }

  private async locked(m: EntityManager, id: string): Promise<ProtocolRow> {
    const [row] = await this.database(() =>
      m.query<ProtocolRow[]>('select * from protocol_lock($1)', [id]),
    );
    if (!row) throw notFound(`Protocol ${id}`);
    return row;
  }

  private async row(m: EntityManager, id: string): Promise<ProtocolRow> {
    if (!UUID.test(id)) throw badInput(`"${id}" is not a protocol id`, { field: 'id' });
    const [row] = await m.query<ProtocolRow[]>(
      `select ${PROTOCOL_COLUMNS} from protocols where id = $1`,
      [id],
    );
    if (!row) throw notFound(`Protocol ${id}`);
    return row;
  }

  private async state(m: EntityManager, row: ProtocolRow): Promise<ProtocolState> {
    const [current] = await m.query<{ parties: string[] }[]>(
      'select parties from protocol_versions where tenant_id = $1 and protocol_id = $2 and version = $3',
      [row.tenant_id, row.id, row.current_version],
    );
    const signed = await m.query<{ signer_tenant_id: string }[]>(
      `select signer_tenant_id from protocol_signatures
       where tenant_id = $1 and protocol_id = $2 and version = $3`,
      [row.tenant_id, row.id, row.current_version],
    );
    return {
      status: row.status,
      currentVersion: row.current_version,
      versionInForce: row.version_in_force,
      ownerTenantId: row.tenant_id,
      parties: current?.parties ?? [],
      signedBy: signed.map((s) => s.signer_tenant_id),
    };
  }

  private async terms(
    m: EntityManager,
    input: ProtocolTermsInput,
    ownerTenantId: string,
  ): Promise<ProtocolTerms> {
    const codes = [...new Set(input.partyLaCodes.map((c) => c.trim()))];
    const tenants = await m.query<{ id: string; la_code: string }[]>(
      `select id, la_code from tenants where kind = 'authority' and status = 'active' and la_code = any($1)`,
      [codes],
    );
    const unknown = codes.filter((c) => !tenants.some((t) => t.la_code === c));
    if (unknown.length > 0) {
      throw badInput(
        `No authority on SchoolBench has LA code ${unknown.join(', ')}: partners must be onboarded first`,
        { field: 'partyLaCodes' },
      );
    }
    try {
      return normaliseProtocolTerms(
        { ...input, partyTenantIds: tenants.map((t) => t.id) },
        ownerTenantId,
        MEASURE_CATALOGUE,
      );
    } catch (error) {
      if (error instanceof ProtocolTermsError) {
        throw badInput(`The protocol’s terms are not valid: ${error.message}`, {
          field: error.problems[0]?.field,
        });
      }
      throw error;
    }
  }

  private async insertVersion(
    m: EntityManager,
    id: string,
    version: number,
    t: ProtocolTerms,
  ): Promise<void> {
    const principal = this.context.principal();
    await m.query(
      `insert into protocol_versions (tenant_id, protocol_id, version, title, purpose, parties,
         scope_categories, scope_measures, measures, period_from, period_to, phases, disclosure,
         min_group_size, small_cohort_threshold, valid_from, valid_to, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        principal.tenantId,
        id,
        version,
        t.title,
        t.purpose,
        t.parties,
        t.categories,
        t.scopeMeasures,
        t.measures,
        t.periodFrom,
        t.periodTo,
        t.phases,
        t.disclosure,
        t.minGroupSize,
        t.smallCohortThreshold,
        t.validFrom,
        t.validTo,
        principal.userId,
      ],
    );
  }

  private async event(
    m: EntityManager,
    id: string,
    version: number,
    event: string,
    reason?: string,
  ): Promise<void> {
    const principal = this.context.principal();
    await m.query(
      `insert into protocol_events (tenant_id, protocol_id, version, event, actor_tenant_id, actor_user_id, detail)
       values ($1, $2, $3, $4, $1, $5, $6)`,
      [principal.tenantId, id, version, event, principal.userId, reason ? { reason } : {}],
    );
  }

  /** The definer functions raise with SQLSTATEs; they become the API's error codes. */
  private async database<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = (error as Error).message;
      if (code === '42501') throw forbidden(message);
      if (code === '22023' || code === 'P0002') throw badInput(message, { field: 'id' });
      throw error;
    }
  }

  private async model(m: EntityManager, row: ProtocolRow): Promise<ProtocolModel> {
    const [model] = await this.models(m, [row]);
    return model;
  }

  /**
   * Protocols with their versions, signatures, history, opt-outs and parties: five statements
   * however many protocols (one after another: a transaction has one connection).
   */
  private async models(m: EntityManager, rows: ProtocolRow[]): Promise<ProtocolModel[]> {
    if (rows.length === 0) return [];
    // Parties see that another authority acted, never which of its users did.
    const me = this.context.principal().tenantId;
    const ownUser = (tenantId: string | null, userId: string | null) =>
      tenantId === me ? userId : null;
    const owners = [...new Set(rows.map((r) => r.tenant_id))];
    const ids = rows.map((r) => r.id);
    const allVersions = await m.query<(VersionRow & { protocol_id: string })[]>(
      `select protocol_id, ${VERSION_COLUMNS} from protocol_versions
       where tenant_id = any($1) and protocol_id = any($2) order by protocol_id, version`,
      [owners, ids],
    );
    const allSignatures = await m.query<
      {
        protocol_id: string;
        version: number;
        signer_tenant_id: string;
        signer_user_id: string;
        signed_at: Date;
      }[]
    >(
      `select protocol_id, version, signer_tenant_id, signer_user_id, signed_at from protocol_signatures
         where tenant_id = any($1) and protocol_id = any($2) order by signed_at, signer_tenant_id`,
      [owners, ids],
    );
    const allEvents = await m.query<
      {
        protocol_id: string;
        event: string;
        version: number;
        actor_tenant_id: string | null;
        actor_user_id: string | null;
        detail: { reason?: string };
        at: Date;
      }[]
    >(
      `select protocol_id, event, version, actor_tenant_id, actor_user_id, detail, at from protocol_events
         where tenant_id = any($1) and protocol_id = any($2) order by id`,
      [owners, ids],
    );
    const allOptOuts = await m.query<
      { protocol_id: string; tenant_id: string; urn: number; opted_out_at: Date }[]
    >(
      `select protocol_id, tenant_id, urn, opted_out_at from protocol_opt_outs
         where protocol_owner_id = any($1) and protocol_id = any($2) order by tenant_id, urn`,
      [owners, ids],
    );
    const tenants = await m.query<{ id: string; name: string; la_code: string | null }[]>(
      'select id, name, la_code from tenants where id = any($1)',
      [[...new Set(rows.flatMap((r) => r.parties))]],
    );
    return rows.map((row) => {
      const of = <T extends { protocol_id: string }>(all: T[]) =>
        all.filter((x) => x.protocol_id === row.id);
      const versions = of(allVersions);
      const signatures = of(allSignatures);
      const events = of(allEvents);
      const optOuts = of(allOptOuts);
      const versionModels: ProtocolVersionModel[] = versions.map((v) => ({
        version: v.version,
        title: v.title,
        purpose: v.purpose,
        partyTenantIds: v.parties,
        categories: v.scope_categories,
        scopeMeasures: v.scope_measures,
        measures: v.measures,
        periodFrom: formatAcademicPeriod(v.period_from),
        periodTo: formatAcademicPeriod(v.period_to),
        phases: v.phases,
        disclosure: v.disclosure,
        minGroupSize: v.min_group_size,
        smallCohortThreshold: v.small_cohort_threshold,
        validFrom: v.valid_from,
        validTo: v.valid_to,
        createdAt: v.created_at,
        signatures: signatures
          .filter((s) => s.version === v.version)
          .map((s) => ({
            version: s.version,
            tenantId: s.signer_tenant_id,
            userId: ownUser(s.signer_tenant_id, s.signer_user_id),
            signedAt: s.signed_at,
          })),
      }));
      const current = versionModels.find((v) => v.version === row.current_version)!;
      const signedNow = new Set(current.signatures.map((s) => s.tenantId));
      return {
        id: row.id,
        ownerTenantId: row.tenant_id,
        status: row.status as ProtocolStatus,
        currentVersion: row.current_version,
        versionInForce: row.version_in_force,
        title: current.title,
        terms: current,
        parties: current.partyTenantIds.map((id) => {
          const t = tenants.find((x) => x.id === id);
          return {
            tenantId: id,
            name: t?.name ?? id,
            laCode: t?.la_code ?? null,
            signed: signedNow.has(id),
          };
        }),
        versions: versionModels,
        history: events.map((e) => ({
          event: e.event,
          version: e.version,
          actorTenantId: e.actor_tenant_id,
          actorUserId: ownUser(e.actor_tenant_id, e.actor_user_id),
          reason: e.detail.reason ?? null,
          at: e.at,
        })),
        optOuts: optOuts.map((o) => ({
          tenantId: o.tenant_id,
          urn: o.urn,
          optedOutAt: o.opted_out_at,
        })),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    });
  }
}
