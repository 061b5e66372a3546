import { readFile, rm } from 'node:fs/promises';
import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Render,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import { DomainError } from '@schoolbench/graphql';
import { SchoolSource, SchoolsService } from '@schoolbench/schools';
import {
  JudgementsService,
  TargetKind,
  TargetsService,
  type SchoolTargetStatusModel,
  type TargetImportReportModel,
} from '@schoolbench/targets';
import { Roles, SCHOOL_ROLES, TenantContext } from '@schoolbench/tenancy';

import { formatPeriod, formatSigned, formatValue } from '../charts/number-format';
import { errorList } from './form-errors';
import { HEADLINE_MEASURES, measureInfo, phaseOf } from './measures';
import { idParam, urnParam } from './params';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const AUTHORITY = ['la_admin', 'analyst'] as const;
const TARGET_MEASURES = [...HEADLINE_MEASURES.primary, ...HEADLINE_MEASURES.secondary];
const DEFAULT_PERIOD = '201819';
// DfE's caution: one pupil in a cohort under 11 moves a percentage by more than 9 points.
const SMALL_COHORT = 11;
const RAG_TAGS: Record<string, { text: string; classes: string }> = {
  green: { text: 'Green: target met', classes: 'govuk-tag--green' },
  amber: { text: 'Amber: just short', classes: 'govuk-tag--yellow' },
  red: { text: 'Red: short of target', classes: 'govuk-tag--red' },
};
const POSITIONS: Record<string, string> = {
  upper_quartile: 'Upper quartile of its group',
  middle_half: 'Middle half of its group',
  lower_quartile: 'Lower quartile of its group',
};
const SAVED: Record<string, string> = {
  proposed: 'Your proposed target was sent to your local authority to agree.',
  target: 'The target was set.',
  baseline: 'The baseline was set.',
  agree: 'The proposal was agreed: it is now the school’s target.',
  return: 'The proposal was returned to the school with your reason.',
};
const ROLE_NAMES: Record<string, string> = {
  la_admin: 'LA admin',
  analyst: 'LA analyst',
  headteacher: 'Headteacher',
};

interface TargetForm {
  urn?: string;
  measure?: string;
  period?: string;
  breakdown?: string;
  kind?: string;
  value?: string;
  baselinePeriod?: string;
}

interface UploadedCsv {
  originalname: string;
  path: string;
  size: number;
}

/**
 * A measure as these pages show it: at least one decimal, so a target of 84.5% is never shown
 * rounded to a value it is not (published whole percentages read 84.0%).
 */
function info(code: string) {
  const m = measureInfo(code);
  return { ...m, decimals: Math.max(m.decimals, 1) };
}

/** `2018/19` or `201819` → `201819`; anything else → null. */
function periodParam(text: string | undefined): string | null {
  const t = (text ?? '').trim();
  const slash = /^(\d{4})\/(\d{2})$/.exec(t);
  const ees = slash ? `${slash[1]}${slash[2]}` : t;
  return /^\d{6}$/.test(ees) ? ees : null;
}

/**
 * A service's refusal as a form error: the services name the field first ("value: …"), so the
 * error summary links to it. Other errors are not the user's input and propagate.
 */
function formErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  if (!(error instanceof DomainError) || error.code !== 'BAD_USER_INPUT') throw error;
  const named = /^(\w+): /.exec(error.message)?.[1];
  return { [named && fields.includes(named) ? named : fields[0]]: error.message };
}

/** A number typed into a form, or null with the reason. */
function numberField(text: string | undefined): number | null {
  const t = (text ?? '').trim().replace(/%$/, '');
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : null;
}

/**
 * Targets (docs/targets.md): a school's targets against its results with RAG, its group
 * position and estimates from similar schools; a headteacher's proposal; the authority's
 * roll-up, answers to proposals, targets set one by one or from a CSV; judgements and schools
 * causing concern.
 */
@Controller()
export class TargetsPagesController {
  constructor(
    private readonly targets: TargetsService,
    private readonly judgements: JudgementsService,
    private readonly results: ComparisonResultsService,
    private readonly schools: SchoolsService,
    private readonly context: TenantContext,
  ) {}

  @Roles(...READERS)
  @Get('targets')
  @Render('pages/targets.njk')
  async overview(
    @Query('period') periodText?: string,
    @Query('saved') saved?: string,
  ): Promise<Record<string, unknown>> {
    const principal = this.context.principal();
    const periods = await this.targets.periods();
    const period = periodParam(periodText) ?? periods[0] ?? DEFAULT_PERIOD;
    const periodItems = [...new Set([period, ...periods, DEFAULT_PERIOD])]
      .sort()
      .reverse()
      .map((p) => ({ value: p, text: formatPeriod(p), selected: p === period }));
    const settings = await this.targets.settings();
    const statuses = await this.targets.statuses({ period });
    const common = {
      period,
      periodText: formatPeriod(period),
      periodItems,
      settings,
      savedMessage: (saved && SAVED[saved]) || null,
      role: principal.role,
    };
    if (SCHOOL_ROLES.includes(principal.role)) {
      const urn = principal.schoolUrn!;
      const school = await this.schools.get(urn);
      return {
        pageTitle: 'Your school’s targets',
        ...common,
        school,
        rows: await this.schoolRows(urn, period, statuses),
        returned: await this.returnedProposals(urn, period, school.phase, statuses),
        estimates: await this.estimates(urn, period, school.phase, statuses),
        canPropose: principal.role === 'headteacher',
      };
    }
    const rollup = await this.targets.rollup({ period });
    return {
      pageTitle: 'Targets',
      ...common,
      rollup: rollup.map((r) => {
        const m = info(r.measure);
        return {
          measure: m,
          green: r.green,
          amber: r.amber,
          red: r.red,
          noValue: r.noValue,
          total: r.green + r.amber + r.red + r.noValue,
          authorityValue: formatValue(r.authorityValue, m.unit, m.decimals),
          authorityCohort: r.authorityCohort,
          authorityBaseline: formatValue(r.authorityBaseline, m.unit, m.decimals),
          authorityTarget: formatValue(r.authorityTarget, m.unit, m.decimals),
          authorityRag: r.authorityRag ? RAG_TAGS[r.authorityRag] : null,
          schoolTargetsWeighted: formatValue(r.schoolTargetsWeighted, m.unit, m.decimals),
        };
      }),
      rows: statuses.map((s) => this.statusRow(s)),
      pending: statuses
        .filter((s) => s.pendingProposal)
        .map((s) => ({
          ...this.statusRow(s),
          id: s.pendingProposal!.id,
          proposed: formatValue(
            s.pendingProposal!.value,
            info(s.measure).unit,
            info(s.measure).decimals,
          ),
          at: s.pendingProposal!.at,
        })),
      canAnswer: principal.role === 'la_admin',
    };
  }

  @Roles('headteacher')
  @Get('targets/propose')
  @Render('pages/target-form.njk')
  async proposeForm(@Query('measure') measure?: string): Promise<Record<string, unknown>> {
    return this.formView('propose', { measure, period: DEFAULT_PERIOD, breakdown: 'all' }, {});
  }

  @Roles('headteacher')
  @Post('targets/propose')
  async propose(@Body() body: TargetForm, @Res() res: Response): Promise<void> {
    const fields: Record<string, string> = {};
    const value = numberField(body.value);
    if (value === null) fields.value = 'Enter the target as a number, for example 84';
    if (!body.period?.trim()) fields.period = 'Enter the academic year, for example 2018/19';
    if (!Object.keys(fields).length) {
      try {
        const proposed = await this.targets.propose({
          urn: this.context.principal().schoolUrn!,
          measure: body.measure ?? '',
          period: body.period!,
          breakdown: body.breakdown?.trim() || undefined,
          value: value!,
        });
        res.redirect(303, `/targets?period=${proposed.period}&saved=proposed`);
        return;
      } catch (error) {
        Object.assign(fields, formErrors(error, ['measure', 'period', 'breakdown', 'value']));
      }
    }
    res.status(400).render('pages/target-form.njk', {
      ...(await this.formView('propose', body, fields)),
      errors: errorList(fields),
    });
  }

  @Roles(...AUTHORITY)
  @Get('targets/set')
  @Render('pages/target-form.njk')
  async setForm(@Query('urn') urn?: string): Promise<Record<string, unknown>> {
    return this.formView(
      'set',
      { urn, period: DEFAULT_PERIOD, breakdown: 'all', kind: 'target' },
      {},
    );
  }

  @Roles(...AUTHORITY)
  @Post('targets/set')
  async set(@Body() body: TargetForm, @Res() res: Response): Promise<void> {
    const fields: Record<string, string> = {};
    const value = numberField(body.value);
    if (value === null) fields.value = 'Enter the value as a number, for example 84';
    if (!body.period?.trim()) fields.period = 'Enter the academic year, for example 2018/19';
    const urn = body.urn && /^\d{1,9}$/.test(body.urn) ? Number(body.urn) : null;
    const kind = body.kind === 'baseline' ? TargetKind.BASELINE : TargetKind.TARGET;
    if (kind === TargetKind.BASELINE && !body.baselinePeriod?.trim()) {
      fields.baselinePeriod = 'Enter the academic year the baseline was taken from';
    }
    if (!Object.keys(fields).length) {
      try {
        const set = await this.targets.set({
          urn,
          measure: body.measure ?? '',
          period: body.period!,
          breakdown: body.breakdown?.trim() || undefined,
          kind,
          value: value!,
          baselinePeriod: kind === TargetKind.BASELINE ? body.baselinePeriod : undefined,
        });
        res.redirect(303, `/targets?period=${set.period}&saved=${kind.toLowerCase()}`);
        return;
      } catch (error) {
        Object.assign(
          fields,
          formErrors(error, ['measure', 'period', 'breakdown', 'value', 'baselinePeriod', 'urn']),
        );
      }
    }
    res.status(400).render('pages/target-form.njk', {
      ...(await this.formView('set', body, fields)),
      errors: errorList(fields),
    });
  }

  @Roles('la_admin')
  @Get('targets/proposals/:id')
  @Render('pages/target-proposal.njk')
  async proposal(@Param('id') id: string): Promise<Record<string, unknown>> {
    return this.proposalView(await this.targets.proposal(idParam(id)), {});
  }

  @Roles('la_admin')
  @Post('targets/proposals/:id/:answer')
  async answer(
    @Param('id') id: string,
    @Param('answer') answer: string,
    @Body('reason') reasonText: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    if (answer !== 'agree' && answer !== 'return') {
      res.status(404).render('pages/error.njk', { pageTitle: 'Page not found' });
      return;
    }
    const proposal = await this.targets.proposal(idParam(id));
    const reason = (reasonText ?? '').trim();
    const fields: Record<string, string> = {};
    if (answer === 'return' && !reason) {
      fields.reason = 'Say why the proposal is returned, so the headteacher can propose again';
    }
    if (!Object.keys(fields).length) {
      try {
        await this.targets.answer(
          proposal.id,
          answer === 'agree' ? 'agreed' : 'returned',
          answer === 'return' ? reason : undefined,
        );
        res.redirect(303, `/targets?period=${proposal.period}&saved=${answer}`);
        return;
      } catch (error) {
        Object.assign(fields, formErrors(error, ['reason']));
      }
    }
    res.status(400).render('pages/target-proposal.njk', {
      ...(await this.proposalView(proposal, fields)),
      reason,
      errors: errorList(fields),
    });
  }

  @Roles(...AUTHORITY)
  @Get('targets/upload')
  @Render('pages/target-upload.njk')
  uploadForm(): Record<string, unknown> {
    return { pageTitle: 'Upload targets', fieldErrors: {} };
  }

  /** The multipart form's CSRF token is in its action URL (checked before the body is read). */
  @Roles(...AUTHORITY)
  @Post('targets/upload')
  @UseInterceptors(FileInterceptor('file'))
  async upload(@UploadedFile() file: UploadedCsv | undefined, @Res() res: Response): Promise<void> {
    try {
      if (!file || file.size === 0) {
        const fields = { file: 'Choose the CSV file of targets to upload' };
        res.status(400).render('pages/target-upload.njk', {
          pageTitle: 'Upload targets',
          fieldErrors: fields,
          errors: errorList(fields),
        });
        return;
      }
      const report = await this.targets.importCsv(
        await readFile(file.path, 'utf8'),
        file.originalname,
      );
      res
        .status(report.accepted ? 200 : 400)
        .render('pages/target-report.njk', this.reportView(report, file.originalname));
    } finally {
      if (file) await rm(file.path, { force: true });
    }
  }

  /** A school's pupil groups against the same groups of its similar schools (docs/targets.md §6). */
  @Roles(...READERS)
  @Get('schools/:urn/pupil-groups')
  @Render('pages/school-pupil-groups.njk')
  async pupilGroups(
    @Param('urn') urnText: string,
    @Query('measure') measureParam?: string,
  ): Promise<Record<string, unknown>> {
    const urn = urnParam(urnText);
    const school = await this.schools.get(urn);
    const headline = HEADLINE_MEASURES[phaseOf(school.phase) ?? 'primary'];
    const measure = TARGET_MEASURES.includes(measureParam ?? '') ? measureParam! : headline[0];
    const m = info(measure);
    const found = await this.results.pupilGroupsOf(urn, measure);
    const principal = this.context.principal();
    return {
      pageTitle: `Pupil groups – ${school.name}`,
      school,
      canRequest: principal.role === 'headteacher' || AUTHORITY.some((r) => r === principal.role),
      measure: m,
      measureItems: TARGET_MEASURES.map((code) => ({
        value: code,
        text: info(code).label,
        selected: code === measure,
      })),
      runId: found?.runId ?? null,
      groups: (found?.breakdowns ?? []).map(({ breakdown, gap }) => ({
        breakdown: breakdown.replace(/_/g, ' '),
        periods: gap.periods.map((p) => ({
          period: formatPeriod(p.period),
          value: formatValue(p.value, m.unit, m.decimals),
          groupN: p.groupN,
          insufficientGroup: p.insufficientGroup,
          median: formatValue(p.groupMedian, m.unit, m.decimals),
          gap: formatSigned(p.gap, m.unit, m.decimals),
        })),
        trend:
          gap.gapTrend.slope === undefined ? null : formatSigned(gap.gapTrend.slope, m.unit, 2),
        trendPeriods: gap.gapTrend.periodsUsed.length,
      })),
    };
  }

  @Roles(...AUTHORITY)
  @Get('judgements')
  @Render('pages/judgements.njk')
  async judgementsPage(
    @Query('measure') measureParam?: string,
    @Query('period') periodText?: string,
  ): Promise<Record<string, unknown>> {
    const measure = TARGET_MEASURES.includes(measureParam ?? '')
      ? measureParam!
      : TARGET_MEASURES[0];
    const period = periodParam(periodText) ?? (await this.targets.periods())[0] ?? DEFAULT_PERIOD;
    // One after the other: both read in the request's one transaction, on its one connection.
    const judged = await this.judgements.judgedSchools({});
    const concern = await this.judgements.causingConcern(measure, period);
    return {
      pageTitle: 'Judgements and schools causing concern',
      measure: info(measure),
      period,
      periodText: formatPeriod(period),
      measureItems: TARGET_MEASURES.map((m) => ({
        value: m,
        text: info(m).label,
        selected: m === measure,
      })),
      judged: judged.map((s) => ({
        urn: s.urn,
        name: s.name ?? `School ${s.urn}`,
        inspection: s.inspection
          ? {
              text: s.inspection.judgement.replace(/_/g, ' '),
              date: s.inspection.date,
              source: s.inspection.source,
            }
          : null,
        categorisation: s.categorisation
          ? {
              text: s.categorisation.judgement.replace(/_/g, ' '),
              date: s.categorisation.date,
            }
          : null,
      })),
      concern: concern.map((c) => ({
        urn: c.urn,
        name: c.name ?? `School ${c.urn}`,
        reasons: c.reasons,
      })),
    };
  }

  private statusRow(s: SchoolTargetStatusModel) {
    const m = info(s.measure);
    return {
      urn: s.urn,
      name: s.name ?? `School ${s.urn}`,
      measure: m,
      breakdown: s.breakdown,
      baseline: formatValue(s.baseline, m.unit, m.decimals),
      target: formatValue(s.target, m.unit, m.decimals),
      actual: formatValue(s.actual, m.unit, m.decimals),
      cohort: s.cohort,
      smallCohort: s.cohort !== null && s.cohort < SMALL_COHORT,
      gap:
        s.actual !== null && s.target !== null
          ? formatSigned(s.actual - s.target, m.unit, m.decimals)
          : '',
      rag: s.rag ? RAG_TAGS[s.rag] : null,
      margin: formatValue(s.margin, m.unit === 'percent' ? 'points' : m.unit, m.decimals),
      marginUnit: m.unit === 'percent' ? 'percentage points' : 'points',
      position: s.groupPosition ? POSITIONS[s.groupPosition] : null,
      pendingValue: s.pendingProposal
        ? formatValue(s.pendingProposal.value, m.unit, m.decimals)
        : null,
    };
  }

  /** The school's statuses with who set each target. */
  private async schoolRows(urn: number, period: string, statuses: SchoolTargetStatusModel[]) {
    const current = (await this.targets.currentOfSchools([urn], { period })).get(urn) ?? [];
    const rows = [];
    for (const s of statuses) {
      const setBy = current.find(
        (c) =>
          !c.pending &&
          c.kind === TargetKind.TARGET &&
          c.measure === s.measure &&
          c.breakdown === s.breakdown,
      );
      rows.push({
        ...this.statusRow(s),
        setBy: setBy
          ? `${ROLE_NAMES[setBy.actorRole] ?? setBy.actorRole}${setBy.action === 'agreed' ? ' (agreed a proposal)' : ''}`
          : null,
        setAt: setBy?.at ?? null,
      });
    }
    return rows;
  }

  /**
   * Proposals the LA admin returned and the school has not proposed again: the latest step of
   * the target is the return, with its reason (a returned key has no pending proposal, so the
   * statuses leave it out).
   */
  private async returnedProposals(
    urn: number,
    period: string,
    phase: string | null,
    statuses: SchoolTargetStatusModel[],
  ) {
    const keys = new Map<string, { measure: string; breakdown: string }>();
    for (const code of HEADLINE_MEASURES[phaseOf(phase) ?? 'primary']) {
      keys.set(`${code}|all`, { measure: code, breakdown: 'all' });
    }
    for (const s of statuses) {
      keys.set(`${s.measure}|${s.breakdown}`, { measure: s.measure, breakdown: s.breakdown });
    }
    const out = [];
    for (const key of keys.values()) {
      if (info(key.measure).polarity === 'neutral') continue;
      const history = await this.targets.history({ urn, period, ...key });
      const last = history.filter((e) => e.kind === TargetKind.TARGET).at(-1);
      if (last?.action !== 'returned') continue;
      const proposal = history.find((e) => e.id === last.answers);
      const m = info(key.measure);
      out.push({
        measure: m,
        breakdown: key.breakdown,
        proposed: proposal ? formatValue(proposal.value, m.unit, m.decimals) : '',
        at: last.at,
        reason: last.reason,
      });
    }
    return out;
  }

  /** p50/p80/p95 of the school's similar-school group, for each headline and targeted measure. */
  private async estimates(
    urn: number,
    period: string,
    phase: string | null,
    statuses: SchoolTargetStatusModel[],
  ) {
    const headline = HEADLINE_MEASURES[phaseOf(phase) ?? 'primary'];
    const measures = [...new Set([...statuses.map((s) => s.measure), ...headline])].filter(
      (code) => info(code).polarity !== 'neutral',
    );
    const out = [];
    for (const code of measures) {
      const m = info(code);
      const found = await this.results.estimatesOf(urn, code, period);
      if (!found) {
        out.push({ measure: m, missing: true });
        continue;
      }
      const e = found.estimates;
      out.push({
        measure: m,
        missing: false,
        groupN: e.groupN,
        insufficientGroup: e.insufficientGroup,
        p50: formatValue(e.p50, m.unit, m.decimals),
        p80: formatValue(e.p80, m.unit, m.decimals),
        p95: formatValue(e.p95, m.unit, m.decimals),
        runId: found.runId,
      });
    }
    return out;
  }

  private async formView(
    mode: 'propose' | 'set',
    values: TargetForm,
    fields: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const principal = this.context.principal();
    const own =
      mode === 'set' ? (await this.schools.list({ source: SchoolSource.OWN }, 100)).nodes : [];
    return {
      pageTitle: mode === 'propose' ? 'Propose a target' : 'Set a target or baseline',
      mode,
      values,
      fieldErrors: fields,
      schoolUrn: principal.schoolUrn,
      urnItems: [
        { value: '', text: 'The authority as a whole' },
        ...own.map((s) => ({
          value: String(s.urn),
          text: `${s.name} (${s.urn})`,
          selected: String(s.urn) === values.urn,
        })),
      ],
      measureItems: TARGET_MEASURES.map((m) => ({
        value: m,
        text: info(m).label,
        selected: m === values.measure,
      })),
      kindItems: [
        { value: 'target', text: 'Target', checked: values.kind !== 'baseline' },
        { value: 'baseline', text: 'Baseline', checked: values.kind === 'baseline' },
      ],
    };
  }

  private async proposalView(
    proposal: Awaited<ReturnType<TargetsService['proposal']>>,
    fields: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const m = info(proposal.measure);
    const school = await this.schools.get(proposal.urn!);
    return {
      pageTitle: 'Answer a proposed target',
      proposal,
      school,
      measure: m,
      value: formatValue(proposal.value, m.unit, m.decimals),
      periodText: formatPeriod(proposal.period),
      fieldErrors: fields,
    };
  }

  private reportView(report: TargetImportReportModel, fileName: string) {
    const byRule = new Map<string, TargetImportReportModel['problems']>();
    for (const p of report.problems) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
    const groups = [...byRule].map(([rule, problems]) => ({
      rule,
      severity: problems[0].severity,
      message: problems[0].message,
      fix: problems[0].fix,
      count: problems.length,
      problems,
    }));
    return {
      pageTitle: `Targets report: ${fileName}`,
      fileName,
      report,
      groups,
      errors: report.accepted
        ? []
        : groups
            .filter((g) => g.severity === 'error')
            .map((g) => ({
              text: `${g.message} (${g.count} ${g.count === 1 ? 'problem' : 'problems'})`,
              href: `#rule-${g.rule}`,
            })),
    };
  }
}
