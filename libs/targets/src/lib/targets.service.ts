import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import {
  isBreakdownCode,
  isSixDigitPeriod,
  MEASURE_CATALOGUE,
  type Measure,
} from '@schoolbench/data-format-core';
import { badInput, forbidden, notFound } from '@schoolbench/graphql';
import { AccessLog } from '@schoolbench/sharing';
import {
  amberMargin,
  cohortWeighted,
  DEFAULT_AMBER_MARGINS,
  groupPosition,
  parseTargetCsv,
  ragStatus,
  targetValueProblem,
  type AmberMargins,
} from '@schoolbench/targets-core';
import { SCHOOL_ROLES, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import {
  BenchmarkSettingsModel,
  GroupPositionValue,
  ProposeTargetInput,
  RagStatusValue,
  SchoolTargetModel,
  SchoolTargetStatusModel,
  SetTargetInput,
  TargetEventModel,
  TargetImportReportModel,
  TargetKind,
  TargetRollupModel,
} from './models/target.model';
import { logPartnerRecords } from './shared-records';
import { TargetEvents, type NewTargetEvent, type TargetEventRow } from './target-events.repository';

interface Settings {
  minGroupN: number;
  margins: AmberMargins;
}

interface PublishedValue {
  urn: number;
  value: number | null;
  denominator: number | null;
}

const MAX_REASON = 2000;

/** `2018/19` or `201819` → 201819, or a BAD_USER_INPUT naming the field. */
function academicPeriod(text: string, field: string): number {
  const t = text.trim();
  const slash = /^(\d{4})\/(\d{2})$/.exec(t);
  const ees = slash ? `${slash[1]}${slash[2]}` : t;
  if (!isSixDigitPeriod(ees)) {
    throw badInput(`${field}: "${text}" is not an academic year (write 2018/19 or 201819)`);
  }
  return Number(ees);
}

function measureFor(code: string): Measure {
  const measure = MEASURE_CATALOGUE.measure(code);
  if (!measure) throw badInput(`measure: "${code}" is not a measure of the catalogue`);
  return measure;
}

function checkedValue(measure: Measure, value: number): number {
  const problem = targetValueProblem(measure, value);
  if (problem) throw badInput(`value: ${problem}`);
  return value;
}

function breakdownOf(text: string | null | undefined): string {
  const breakdown = text?.trim() || 'all';
  if (!isBreakdownCode(breakdown)) {
    throw badInput(`breakdown: "${breakdown}" is not a breakdown code (e.g. all, disadvantaged)`);
  }
  return breakdown;
}

export function toTargetEvent(r: TargetEventRow): TargetEventModel {
  return {
    id: r.id,
    urn: r.urn,
    measure: r.measure,
    period: String(r.time_period),
    breakdown: r.breakdown,
    kind: r.kind === 'baseline' ? TargetKind.BASELINE : TargetKind.TARGET,
    action: r.action,
    value: r.value,
    baselinePeriod: r.baseline_period === null ? null : String(r.baseline_period),
    answers: r.answers,
    reason: r.reason,
    source: r.source,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    at: r.at,
  };
}

/**
 * Baselines and targets (docs/targets.md): the authority sets them, a headteacher proposes for
 * their school and an LA admin agrees or returns the proposal; every step is appended to
 * `target_events`. RAG and the authority roll-up are read from the current targets and the
 * published values.
 */
@Injectable()
export class TargetsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly comparisons: ComparisonResultsService,
    private readonly accessLog: AccessLog,
  ) {}

  settings(): Promise<BenchmarkSettingsModel> {
    return this.tx.run(async (m) => {
      const s = await this.readSettings(m);
      return {
        minGroupN: s.minGroupN,
        amberMarginPercent: s.margins.percent,
        amberMarginScore: s.margins.score,
      };
    });
  }

  async setSettings(input: {
    minGroupN: number;
    amberMarginPercent: number;
    amberMarginScore: number;
  }): Promise<BenchmarkSettingsModel> {
    if (!Number.isInteger(input.minGroupN) || input.minGroupN < 1 || input.minGroupN > 100) {
      throw badInput('minGroupN: a whole number from 1 to 100');
    }
    for (const field of ['amberMarginPercent', 'amberMarginScore'] as const) {
      const v = input[field];
      if (!Number.isFinite(v) || v < 0 || v > 100) throw badInput(`${field}: from 0 to 100`);
    }
    const { tenantId, userId } = this.context.principal();
    await this.tx.run((m) =>
      m.query(
        `insert into benchmark_settings (tenant_id, min_group_n, amber_margin_percent, amber_margin_score, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, now())
         on conflict (tenant_id) do update set min_group_n = excluded.min_group_n,
           amber_margin_percent = excluded.amber_margin_percent,
           amber_margin_score = excluded.amber_margin_score,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [tenantId, input.minGroupN, input.amberMarginPercent, input.amberMarginScore, userId],
      ),
    );
    return this.settings();
  }

  /** An LA admin or analyst sets a school's or the authority's target or baseline. */
  async set(input: SetTargetInput): Promise<TargetEventModel> {
    const measure = measureFor(input.measure);
    const period = academicPeriod(input.period, 'period');
    const breakdown = breakdownOf(input.breakdown);
    const value = checkedValue(measure, input.value);
    const baseline = input.kind === TargetKind.BASELINE;
    if (!baseline && input.baselinePeriod) {
      throw badInput('baselinePeriod: only a baseline has the period it was taken from');
    }
    const baselinePeriod =
      baseline && input.baselinePeriod
        ? academicPeriod(input.baselinePeriod, 'baselinePeriod')
        : null;
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const urn = input.urn ?? null;
      if (urn !== null) await this.ownSchool(m, urn);
      const [row] = await this.events(m).append([
        {
          urn,
          measure: measure.code,
          time_period: period,
          breakdown,
          kind: baseline ? 'baseline' : 'target',
          action: 'set',
          value,
          baseline_period: baselinePeriod,
          answers: null,
          reason: null,
          source: 'api',
          actor_id: principal.userId,
          actor_role: principal.role,
        },
      ]);
      return toTargetEvent(row);
    });
  }

  /** A headteacher proposes a target for their own school. */
  async propose(input: ProposeTargetInput): Promise<TargetEventModel> {
    const principal = this.context.principal();
    if (principal.schoolUrn !== input.urn) {
      throw forbidden(
        `A headteacher proposes targets for their own school only (${principal.schoolUrn})`,
      );
    }
    const measure = measureFor(input.measure);
    const period = academicPeriod(input.period, 'period');
    const breakdown = breakdownOf(input.breakdown);
    const value = checkedValue(measure, input.value);
    return this.tx.run(async (m) => {
      await this.ownSchool(m, input.urn);
      const events = this.events(m);
      await events.latest({
        urn: input.urn,
        measure: measure.code,
        period,
        breakdown,
        kind: 'target',
      });
      const [row] = await events.append([
        {
          urn: input.urn,
          measure: measure.code,
          time_period: period,
          breakdown,
          kind: 'target',
          action: 'proposed',
          value,
          baseline_period: null,
          answers: null,
          reason: null,
          source: 'api',
          actor_id: principal.userId,
          actor_role: principal.role,
        },
      ]);
      return toTargetEvent(row);
    });
  }

  /** An LA admin agrees a proposal (it becomes the target) or returns it with a reason. */
  async answer(
    proposalId: string,
    answer: 'agreed' | 'returned',
    reason?: string | null,
  ): Promise<TargetEventModel> {
    if (!/^[0-9a-f-]{36}$/i.test(proposalId)) throw notFound(`Target proposal ${proposalId}`);
    const why = reason?.trim() ?? '';
    if (answer === 'returned' && why.length === 0) {
      throw badInput('reason: say why the proposal is returned, so the headteacher can revise it');
    }
    if (why.length > MAX_REASON) throw badInput(`reason: at most ${MAX_REASON} characters`);
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const events = this.events(m);
      const proposal = await events.byId(proposalId);
      if (!proposal || proposal.action !== 'proposed') {
        throw notFound(`Target proposal ${proposalId}`);
      }
      const latest = await events.latest({
        urn: proposal.urn,
        measure: proposal.measure,
        period: proposal.time_period,
        breakdown: proposal.breakdown,
        kind: proposal.kind,
      });
      if (latest?.id !== proposal.id) {
        throw badInput(
          `Proposal ${proposalId} has already been ${latest?.action === 'proposed' ? 'replaced by a newer proposal' : `answered (${latest?.action})`}`,
        );
      }
      const [row] = await events.append([
        {
          urn: proposal.urn,
          measure: proposal.measure,
          time_period: proposal.time_period,
          breakdown: proposal.breakdown,
          kind: proposal.kind,
          action: answer,
          value: proposal.value,
          baseline_period: null,
          answers: proposal.id,
          reason: answer === 'returned' ? why : why || null,
          source: 'api',
          actor_id: principal.userId,
          actor_role: principal.role,
        },
      ]);
      return toTargetEvent(row);
    });
  }

  /** Bulk targets from a CSV: all or nothing, with the importer's kind of report. */
  async importCsv(csv: string, file?: string | null): Promise<TargetImportReportModel> {
    const name = file?.trim() || 'targets.csv';
    const parsed = parseTargetCsv(csv, MEASURE_CATALOGUE, name);
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const urns = [...new Set(parsed.rows.map((r) => r.urn))];
      const own = new Set(
        (
          await m.query<{ urn: number }[]>(
            'select urn from schools where tenant_id = $1 and urn = any($2::int[])',
            [principal.tenantId, urns],
          )
        ).map((r) => r.urn),
      );
      for (const row of parsed.rows) {
        if (own.has(row.urn)) continue;
        parsed.problems.add('unknown_urn', {
          line: row.line,
          column: 'URN',
          value: String(row.urn),
          message: `School ${row.urn} is not one of your authority's schools`,
          fix: 'Check the URN against your school register (the schools query).',
        });
      }
      const problems = parsed.problems.drain().sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      const errorCount = parsed.problems.errorCount;
      if (errorCount > 0) {
        return { accepted: false, targets: 0, errorCount, problems };
      }
      await this.events(m).append(
        parsed.rows.map((r): NewTargetEvent => ({
          urn: r.urn,
          measure: r.measure,
          time_period: r.period,
          breakdown: r.breakdown,
          kind: 'target',
          action: 'set',
          value: r.value,
          baseline_period: null,
          answers: null,
          reason: null,
          source: 'csv',
          actor_id: principal.userId,
          actor_role: principal.role,
        })),
      );
      return { accepted: true, targets: parsed.rows.length, errorCount: 0, problems };
    });
  }

  /** A target's history, oldest first; school roles see their own school's only. */
  async history(args: {
    urn?: number | null;
    measure: string;
    period: string;
    breakdown?: string | null;
  }): Promise<TargetEventModel[]> {
    const measure = measureFor(args.measure);
    const period = academicPeriod(args.period, 'period');
    const urn = args.urn ?? null;
    this.checkSchoolScope(urn);
    const rows = await this.tx.run((m) =>
      this.events(m).history({
        urn,
        measure: measure.code,
        period,
        breakdown: breakdownOf(args.breakdown),
      }),
    );
    return rows.map(toTargetEvent);
  }

  /** The periods with any target, baseline or proposal of the caller's scope, newest first. */
  async periods(): Promise<string[]> {
    const scope = this.schoolScope();
    const rows = await this.tx.run((m) =>
      m.query<{ time_period: number }[]>(
        `select distinct time_period from target_events
         where tenant_id = $1 and ($2::int is null or urn = $2) order by time_period desc`,
        [this.context.principal().tenantId, scope],
      ),
    );
    return rows.map((r) => String(r.time_period));
  }

  /** One proposal of the authority, for an LA admin to answer; NOT_FOUND for anything else. */
  async proposal(id: string): Promise<TargetEventModel> {
    const row = await this.tx.run((m) => this.events(m).byId(id));
    if (!row || row.action !== 'proposed') throw notFound(`Proposal ${id}`);
    this.checkSchoolScope(row.urn);
    return toTargetEvent(row);
  }

  /**
   * Current targets and baselines, and pending proposals, of many schools at once (the batch of
   * `School.targets`): the caller's own, and partners' that row-level security admits (a named
   * protocol in force naming `targets`), which are logged in the owner's access log.
   */
  async currentOfSchools(
    urns: readonly number[],
    args: { period?: string | null; measure?: string | null },
  ): Promise<Map<number, SchoolTargetModel[]>> {
    const period = args.period ? academicPeriod(args.period, 'period') : null;
    const measure = args.measure ? measureFor(args.measure).code : null;
    const { tenantId } = this.context.principal();
    // A headteacher or governor may meet other schools (a comparison group): their own only.
    const scope = this.schoolScope();
    const visible = scope === null ? urns : urns.filter((u) => u === scope);
    const rows = await this.tx.run(async (m) => {
      const found = await m.query<(TargetEventRow & { tenant_id: string; settled: boolean })[]>(
        `with ranked as (
           select tenant_id, id, urn, measure, time_period, breakdown, kind, action, value,
             baseline_period, actor_role, at,
             row_number() over (partition by tenant_id, urn, measure, time_period, breakdown, kind
               order by at desc, id desc) = 1 as latest,
             row_number() over (partition by tenant_id, urn, measure, time_period, breakdown, kind,
               action in ('set', 'agreed') order by at desc, id desc) = 1
               and action in ('set', 'agreed') as settled
           from target_events
           where urn = any($1::int[]) and tenant_id is distinct from app_public_tenant()
             and ($2::int is null or time_period = $2) and ($3::text is null or measure = $3))
         select * from ranked where settled or (latest and action = 'proposed')
         order by urn, measure, time_period, breakdown, kind, settled desc`,
        [visible, period, measure],
      );
      await logPartnerRecords(
        m,
        this.accessLog,
        'targets',
        'School.targets',
        tenantId,
        found.map((r) => ({
          tenantId: r.tenant_id,
          urn: r.urn,
          measure: r.measure,
          period: r.time_period,
        })),
      );
      return found;
    });
    const out = new Map<number, SchoolTargetModel[]>();
    for (const r of rows) {
      const list = out.get(r.urn!) ?? [];
      list.push({
        urn: r.urn!,
        measure: r.measure,
        period: String(r.time_period),
        breakdown: r.breakdown,
        kind: r.kind === 'baseline' ? TargetKind.BASELINE : TargetKind.TARGET,
        value: r.value,
        baselinePeriod: r.baseline_period === null ? null : String(r.baseline_period),
        action: r.action,
        pending: !r.settled,
        actorRole: r.actor_role,
        at: r.at,
      });
      out.set(r.urn!, list);
    }
    return out;
  }

  /** Every school with a target (or a pending proposal) in the period, with RAG and position. */
  async statuses(args: {
    period: string;
    measure?: string | null;
    urn?: number | null;
  }): Promise<SchoolTargetStatusModel[]> {
    const period = academicPeriod(args.period, 'period');
    const measure = args.measure ? measureFor(args.measure).code : null;
    const scope = this.schoolScope();
    if (scope !== null && args.urn != null && args.urn !== scope) {
      throw forbidden(`Your role sees its own school only (${scope})`);
    }
    const urn = scope ?? args.urn ?? null;
    return this.tx.run(async (m) => {
      const settings = await this.readSettings(m);
      const { current, pending } = await this.events(m).current(period, measure, urn);
      const schoolRows = [...current, ...pending].filter((r) => r.urn !== null);
      const keys = new Map<string, { urn: number; measure: string; breakdown: string }>();
      for (const r of schoolRows) {
        keys.set(`${r.urn}|${r.measure}|${r.breakdown}`, {
          urn: r.urn as number,
          measure: r.measure,
          breakdown: r.breakdown,
        });
      }
      const names = await this.names(m, [...new Set(schoolRows.map((r) => r.urn as number))]);
      const statuses: SchoolTargetStatusModel[] = [];
      const byMeasure = new Map<string, { urn: number; measure: string; breakdown: string }[]>();
      for (const k of keys.values()) {
        const list = byMeasure.get(`${k.measure}|${k.breakdown}`) ?? [];
        list.push(k);
        byMeasure.set(`${k.measure}|${k.breakdown}`, list);
      }
      for (const list of byMeasure.values()) {
        const { measure: code, breakdown } = list[0] as { measure: string; breakdown: string };
        const m2 = measureFor(code);
        const urns = list.map((k) => k.urn);
        const values = await this.published(m, code, period, breakdown, urns);
        const quartiles =
          breakdown === 'all'
            ? await this.quartilesOf(urns, code, period)
            : new Map<number, { lower: number; upper: number }>();
        const margin = amberMargin(m2, settings.margins);
        for (const k of list) {
          const pick = (rows: TargetEventRow[], kind: string) =>
            rows.find(
              (r) =>
                r.urn === k.urn &&
                r.measure === code &&
                r.breakdown === breakdown &&
                r.kind === kind,
            );
          const target = pick(current, 'target');
          const baseline = pick(current, 'baseline');
          const proposal = pick(pending, 'target');
          const value = values.get(k.urn);
          const actual = value?.value ?? null;
          const q = quartiles.get(k.urn);
          statuses.push({
            urn: k.urn,
            name: names.get(k.urn) ?? null,
            measure: code,
            period: String(period),
            breakdown,
            target: target?.value ?? null,
            baseline: baseline?.value ?? null,
            pendingProposal: proposal ? toTargetEvent(proposal) : null,
            actual,
            cohort: value?.denominator ?? null,
            rag:
              target && actual !== null && m2.polarity !== 'neutral'
                ? (ragStatus(actual, target.value, m2.polarity, margin) as RagStatusValue)
                : null,
            margin,
            groupPosition:
              actual !== null && q
                ? (groupPosition(actual, q.lower, q.upper) as GroupPositionValue)
                : null,
          });
        }
      }
      return statuses.sort(
        (a, b) =>
          a.measure.localeCompare(b.measure) ||
          a.breakdown.localeCompare(b.breakdown) ||
          a.urn - b.urn,
      );
    });
  }

  /** The authority roll-up: schools by RAG per measure, with the authority-wide figures. */
  async rollup(args: { period: string; measure?: string | null }): Promise<TargetRollupModel[]> {
    const period = academicPeriod(args.period, 'period');
    const measureFilter = args.measure ? measureFor(args.measure).code : null;
    const statuses = (await this.statuses({ period: args.period, measure: measureFilter })).filter(
      (s) => s.breakdown === 'all',
    );
    const { tenantId } = this.context.principal();
    return this.tx.run(async (m) => {
      const settings = await this.readSettings(m);
      const { current } = await this.events(m).current(period, measureFilter, null);
      const authority = current.filter((r) => r.urn === null && r.breakdown === 'all');
      const measures = [
        ...new Set([...statuses.map((s) => s.measure), ...authority.map((r) => r.measure)]),
      ].sort();
      const own = (
        await m.query<{ urn: number }[]>('select urn from schools where tenant_id = $1', [tenantId])
      ).map((r) => r.urn);
      const out: TargetRollupModel[] = [];
      for (const code of measures) {
        const measure = measureFor(code);
        const mine = statuses.filter((s) => s.measure === code);
        const values = await this.published(m, code, period, 'all', own);
        const figure = cohortWeighted(
          [...values.values()].map((v) => ({ value: v.value, cohort: v.denominator })),
        );
        const implied = cohortWeighted(
          mine.map((s) => ({ value: s.target, cohort: values.get(s.urn)?.denominator ?? null })),
        );
        const target = authority.find((r) => r.measure === code && r.kind === 'target');
        const baseline = authority.find((r) => r.measure === code && r.kind === 'baseline');
        const count = (rag: RagStatusValue) => mine.filter((s) => s.rag === rag).length;
        out.push({
          measure: code,
          period: String(period),
          green: count(RagStatusValue.green),
          amber: count(RagStatusValue.amber),
          red: count(RagStatusValue.red),
          noValue: mine.filter((s) => s.target !== null && s.actual === null).length,
          authorityValue: figure.value ?? null,
          authorityCohort: figure.schools > 0 ? figure.cohort : null,
          authorityTarget: target?.value ?? null,
          authorityBaseline: baseline?.value ?? null,
          authorityRag:
            target && figure.value !== undefined && measure.polarity !== 'neutral'
              ? (ragStatus(
                  figure.value,
                  target.value,
                  measure.polarity,
                  amberMargin(measure, settings.margins),
                ) as RagStatusValue)
              : null,
          schoolTargetsWeighted: implied.value ?? null,
        });
      }
      return out;
    });
  }

  private events(m: EntityManager): TargetEvents {
    return new TargetEvents(m, this.context.principal().tenantId);
  }

  private async readSettings(m: EntityManager): Promise<Settings> {
    const [row] = await m.query<
      { min_group_n: number; amber_margin_percent: number; amber_margin_score: number }[]
    >(
      'select min_group_n, amber_margin_percent, amber_margin_score from benchmark_settings where tenant_id = $1',
      [this.context.principal().tenantId],
    );
    return row
      ? {
          minGroupN: row.min_group_n,
          margins: { percent: row.amber_margin_percent, score: row.amber_margin_score },
        }
      : { minGroupN: 5, margins: DEFAULT_AMBER_MARGINS };
  }

  private async ownSchool(m: EntityManager, urn: number): Promise<void> {
    const [row] = await m.query<{ urn: number }[]>(
      'select urn from schools where tenant_id = $1 and urn = $2',
      [this.context.principal().tenantId, urn],
    );
    if (!row) throw badInput(`urn: school ${urn} is not one of your authority's schools`);
  }

  private async names(m: EntityManager, urns: number[]): Promise<Map<number, string>> {
    const rows = await m.query<{ urn: number; name: string }[]>(
      'select urn, name from schools where tenant_id = $1 and urn = any($2::int[])',
      [this.context.principal().tenantId, urns],
    );
    return new Map(rows.map((r) => [r.urn, r.name]));
  }

  /**
   * Published values (and cohorts) of the authority's schools: the current published dataset
   * versions, the authority's own before DfE's reference copy, newer before older.
   */
  private async published(
    m: EntityManager,
    measure: string,
    period: number,
    breakdown: string,
    urns: readonly number[],
  ): Promise<Map<number, PublishedValue>> {
    const rows = await m.query<PublishedValue[]>(
      `select distinct on (o.urn) o.urn, o.value, o.denominator
       from observations o
       join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id
       where o.tenant_id in ($1, app_public_tenant()) and d.is_current and d.status = 'published'
         and o.measure = $2 and o.time_period = $3 and o.breakdown = $4 and o.urn = any($5::int[])
       order by o.urn, (o.tenant_id = $1) desc, d.published_at desc nulls last, d.id`,
      [this.context.principal().tenantId, measure, period, breakdown, urns],
    );
    return new Map(rows.map((r) => [r.urn, r]));
  }

  /** Quartiles of each school's latest benchmark (withheld for an insufficient group). */
  private async quartilesOf(
    urns: readonly number[],
    measure: string,
    period: number,
  ): Promise<Map<number, { lower: number; upper: number }>> {
    const byUrn = await this.comparisons.benchmarksOf(urns, null, {
      measures: [measure],
      period: String(period),
    });
    const out = new Map<number, { lower: number; upper: number }>();
    for (const [urn, list] of byUrn) {
      const b = list[0];
      if (b && b.lowerQuartile !== null && b.upperQuartile !== null) {
        out.set(urn, { lower: b.lowerQuartile, upper: b.upperQuartile });
      }
    }
    return out;
  }

  private schoolScope(): number | null {
    const p = this.context.principal();
    return SCHOOL_ROLES.includes(p.role) ? p.schoolUrn : null;
  }

  private checkSchoolScope(urn: number | null): void {
    const scope = this.schoolScope();
    if (scope !== null && urn !== scope) {
      throw forbidden(`Your role sees its own school's targets only (${scope})`);
    }
  }
}
