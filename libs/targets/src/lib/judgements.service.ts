import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import { badInput, DomainError, forbidden } from '@schoolbench/graphql';
import { AccessLog } from '@schoolbench/sharing';
import {
  categoryCode,
  CAUSING_CONCERN,
  inspectionJudgement,
  isConcerningJudgement,
  judgementDate,
  parseJudgementCsv,
} from '@schoolbench/targets-core';
import { SCHOOL_ROLES, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import {
  ConcernReasonKind,
  JudgementImportReportModel,
  JudgementKind,
  JudgementModel,
  RecordJudgementInput,
  SchoolCausingConcernModel,
  SchoolJudgementsModel,
} from './models/judgement.model';
import { RagStatusValue } from './models/target.model';
import { logPartnerRecords } from './shared-records';
import { TargetsService } from './targets.service';

interface JudgementRow {
  id: string;
  urn: number;
  kind: 'inspection' | 'categorisation';
  judgement: string;
  judged_on: string;
  source: string;
  recorded_via: string;
  recorded_at: Date;
}

const COLUMNS = `id, urn, kind, judgement, to_char(judged_on, 'YYYY-MM-DD') as judged_on, source,
  recorded_via, recorded_at`;

const today = (): string => new Date().toISOString().slice(0, 10);

function toJudgement(r: JudgementRow): JudgementModel {
  return {
    id: r.id,
    urn: r.urn,
    kind: r.kind === 'inspection' ? JudgementKind.INSPECTION : JudgementKind.CATEGORISATION,
    judgement: r.judgement,
    date: r.judged_on,
    source: r.source,
    recordedVia: r.recorded_via,
    recordedAt: r.recorded_at,
  };
}

/**
 * Inspection judgements and the authority's categorisation of its schools, entered or imported
 * by LA admins (append-only `school_judgements`), and the combined list of schools causing
 * concern (docs/targets.md §5).
 */
@Injectable()
export class JudgementsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    private readonly comparisons: ComparisonResultsService,
    private readonly targets: TargetsService,
    private readonly accessLog: AccessLog,
  ) {}

  async record(input: RecordJudgementInput): Promise<JudgementModel> {
    const inspection = input.kind === JudgementKind.INSPECTION;
    const judgement = inspection
      ? inspectionJudgement(input.judgement)
      : categoryCode(input.judgement);
    if (!judgement) {
      throw badInput(
        inspection
          ? `judgement: "${input.judgement}" is not an inspection judgement (Outstanding, Good, Requires improvement, Inadequate)`
          : `judgement: "${input.judgement}" is not a category (letters, digits and spaces, up to 40)`,
      );
    }
    const date = judgementDate(input.date, today());
    if (!date)
      throw badInput(`date: "${input.date}" is not a past date (2019-03-14 or 14/03/2019)`);
    const source = input.source.trim();
    if (source.length === 0 || source.length > 200) {
      throw badInput('source: say where the judgement comes from (1 to 200 characters)');
    }
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const [school] = await m.query<{ urn: number }[]>(
        'select urn from schools where tenant_id = $1 and urn = $2',
        [principal.tenantId, input.urn],
      );
      if (!school)
        throw badInput(`urn: school ${input.urn} is not one of your authority's schools`);
      const [row] = await this.insert(m, [
        { urn: input.urn, kind: input.kind, judgement, date, source, via: 'api' },
      ]);
      return toJudgement(row);
    });
  }

  async importCsv(csv: string, fileName?: string | null): Promise<JudgementImportReportModel> {
    const parsed = parseJudgementCsv(csv, today(), fileName?.trim() || 'judgements.csv');
    const { tenantId } = this.context.principal();
    return this.tx.run(async (m) => {
      const own = new Set(
        (
          await m.query<{ urn: number }[]>(
            'select urn from schools where tenant_id = $1 and urn = any($2::int[])',
            [tenantId, [...new Set(parsed.rows.map((r) => r.urn))]],
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
      if (errorCount > 0) return { accepted: false, judgements: 0, errorCount, problems };
      await this.insert(
        m,
        parsed.rows.map((r) => ({
          urn: r.urn,
          kind: JudgementKind.INSPECTION,
          judgement: r.judgement,
          date: r.date,
          source: r.source,
          via: 'csv',
        })),
      );
      return { accepted: true, judgements: parsed.rows.length, errorCount: 0, problems };
    });
  }

  /**
   * The latest judgement of each kind of each school: the caller's own, and partners' that
   * row-level security admits (a named protocol in force naming `judgements`), which are logged
   * in the owner's access log. The authority's own record comes first for a school both hold.
   */
  async latestOf(urns: readonly number[]): Promise<Map<number, SchoolJudgementsModel>> {
    const principal = this.context.principal();
    const tenantId = principal.tenantId;
    // A headteacher or governor may meet other schools (a comparison group): their own only.
    const visible = SCHOOL_ROLES.includes(principal.role)
      ? urns.filter((u) => u === principal.schoolUrn)
      : urns;
    const rows = await this.tx.run(async (m) => {
      const found = await m.query<(JudgementRow & { tenant_id: string })[]>(
        `select distinct on (urn, kind) tenant_id, ${COLUMNS} from school_judgements
         where urn = any($1::int[]) and tenant_id is distinct from app_public_tenant()
         order by urn, kind, tenant_id <> $2, judged_on desc, recorded_at desc, id`,
        [visible, tenantId],
      );
      await logPartnerRecords(
        m,
        this.accessLog,
        'judgements',
        'School.judgements',
        tenantId,
        found.map((r) => ({ tenantId: r.tenant_id, urn: r.urn })),
      );
      return found;
    });
    const out = new Map<number, SchoolJudgementsModel>();
    for (const r of rows) {
      const entry = out.get(r.urn) ?? {
        urn: r.urn,
        name: null,
        inspection: null,
        categorisation: null,
      };
      if (r.kind === 'inspection') entry.inspection = toJudgement(r);
      else entry.categorisation = toJudgement(r);
      out.set(r.urn, entry);
    }
    return out;
  }

  /** Own schools by their latest judgement: any of `judgements`, and/or the category given. */
  async judgedSchools(args: {
    judgements?: string[] | null;
    categorisation?: string | null;
  }): Promise<SchoolJudgementsModel[]> {
    const wanted = (args.judgements ?? []).map((j) => {
      const parsed = inspectionJudgement(j);
      if (!parsed) throw badInput(`judgements: "${j}" is not an inspection judgement`);
      return parsed;
    });
    const category = args.categorisation == null ? null : categoryCode(args.categorisation);
    if (args.categorisation != null && !category) {
      throw badInput(`categorisation: "${args.categorisation}" is not a category`);
    }
    const { tenantId } = this.context.principal();
    return this.tx.run(async (m) => {
      const schools = await m.query<{ urn: number; name: string }[]>(
        'select urn, name from schools where tenant_id = $1 order by urn',
        [tenantId],
      );
      const latest = await this.latest(
        m,
        schools.map((s) => s.urn),
      );
      const out: SchoolJudgementsModel[] = [];
      for (const s of schools) {
        const inspection = latest.find((r) => r.urn === s.urn && r.kind === 'inspection');
        const categorisation = latest.find((r) => r.urn === s.urn && r.kind === 'categorisation');
        if (wanted.length > 0 && !(inspection && wanted.includes(inspection.judgement as never)))
          continue;
        if (category && categorisation?.judgement !== category) continue;
        if (wanted.length === 0 && !category && !inspection && !categorisation) continue;
        out.push({
          urn: s.urn,
          name: s.name,
          inspection: inspection ? toJudgement(inspection) : null,
          categorisation: categorisation ? toJudgement(categorisation) : null,
        });
      }
      return out;
    });
  }

  /**
   * Early warnings combined (issue 14): a school in its group's worst quartile in two of the last
   * three periods (`earlyWarnings`), red against its target on the measure in the period, judged
   * requires improvement or inadequate, or categorised as causing concern — with every reason.
   */
  async causingConcern(measure: string, period: string): Promise<SchoolCausingConcernModel[]> {
    const reasons = new Map<
      number,
      { name: string | null; reasons: { kind: ConcernReasonKind; detail: string }[] }
    >();
    const add = (urn: number, name: string | null, kind: ConcernReasonKind, detail: string) => {
      const entry = reasons.get(urn) ?? { name, reasons: [] };
      entry.name ??= name;
      entry.reasons.push({ kind, detail });
      reasons.set(urn, entry);
    };
    try {
      const warnings = await this.comparisons.earlyWarnings({ measure, periods: 3, required: 2 });
      for (const w of warnings) {
        if (!w.inWorstQuartile) continue;
        add(
          w.urn,
          w.name,
          ConcernReasonKind.LOWER_QUARTILE,
          `${measure}: in its similar-school group's worst quartile in ${w.worstQuartilePeriods.join(', ')} (of ${w.periodsConsidered.join(', ')}), run ${w.runId}`,
        );
      }
    } catch (error) {
      // No completed run benchmarked the measure yet: the other reasons still apply.
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
    for (const s of await this.targets.statuses({ period, measure })) {
      if (s.rag !== RagStatusValue.red || s.breakdown !== 'all') continue;
      add(
        s.urn,
        s.name,
        ConcernReasonKind.RED_AGAINST_TARGET,
        `${s.measure} ${s.period}: ${s.actual} against a target of ${s.target} (more than ${s.margin} short)`,
      );
    }
    for (const s of await this.judgedSchools({})) {
      if (s.inspection && isConcerningJudgement(s.inspection.judgement)) {
        add(
          s.urn,
          s.name,
          ConcernReasonKind.INSPECTION,
          `judged ${s.inspection.judgement.replace(/_/g, ' ')} on ${s.inspection.date} (${s.inspection.source})`,
        );
      }
      if (s.categorisation?.judgement === CAUSING_CONCERN) {
        add(
          s.urn,
          s.name,
          ConcernReasonKind.CATEGORISATION,
          `categorised as a school causing concern on ${s.categorisation.date} (${s.categorisation.source})`,
        );
      }
    }
    return [...reasons]
      .sort(([a], [b]) => a - b)
      .map(([urn, r]) => ({ urn, name: r.name, reasons: r.reasons }));
  }

  /** School roles see their own school's judgements only. */
  checkScope(urn: number): void {
    const p = this.context.principal();
    if (SCHOOL_ROLES.includes(p.role) && p.schoolUrn !== urn) {
      throw forbidden(`Your role sees its own school only (${p.schoolUrn})`);
    }
  }

  private latest(m: EntityManager, urns: readonly number[]): Promise<JudgementRow[]> {
    return m.query<JudgementRow[]>(
      `select distinct on (urn, kind) ${COLUMNS} from school_judgements
       where tenant_id = $1 and urn = any($2::int[])
       order by urn, kind, judged_on desc, recorded_at desc, id`,
      [this.context.principal().tenantId, urns],
    );
  }

  private insert(
    m: EntityManager,
    rows: {
      urn: number;
      kind: JudgementKind;
      judgement: string;
      date: string;
      source: string;
      via: string;
    }[],
  ): Promise<JudgementRow[]> {
    const principal = this.context.principal();
    return m.query<JudgementRow[]>(
      `insert into school_judgements (tenant_id, id, urn, kind, judgement, judged_on, source, recorded_by, recorded_via)
       select $1, u.id, u.urn, u.kind, u.judgement, u.judged_on, u.source, $2, u.via
       from unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::date[], $8::text[], $9::text[])
         with ordinality as u(id, urn, kind, judgement, judged_on, source, via, n)
       order by u.n
       returning ${COLUMNS}`,
      [
        principal.tenantId,
        principal.userId,
        rows.map(() => randomUUID()),
        rows.map((r) => r.urn),
        rows.map((r) => r.kind),
        rows.map((r) => r.judgement),
        rows.map((r) => r.date),
        rows.map((r) => r.source),
        rows.map((r) => r.via),
      ],
    );
  }
}
