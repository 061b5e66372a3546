import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { notFound } from '@schoolbench/graphql';
import { DisclosureLevel, ProtocolsService, type ProtocolModel } from '@schoolbench/sharing';
import { Roles, TenantContext } from '@schoolbench/tenancy';

import { errorList, inputErrors } from './form-errors';
import { idParam } from './params';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
type Terms = Parameters<ProtocolsService['create']>[0];

const CATEGORIES = ['attainment', 'progress', 'context', 'attendance', 'finance'];
const PHASES = ['primary', 'secondary'];
const TERM_FIELDS = [
  'title',
  'purpose',
  'partyLaCodes',
  'categories',
  'periodFrom',
  'periodTo',
  'phases',
  'disclosure',
  'smallCohortThreshold',
  'minGroupSize',
  'validFrom',
  'validTo',
];

/** What the terms form posts: strings, or arrays of them for the checkboxes. */
type TermsForm = Record<string, string | string[] | undefined>;

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).map((x) => x.trim()).filter(Boolean);
const text = (v: string | string[] | undefined): string =>
  (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();

/** The form's values as the service's terms, and the fields a person must fix first. */
export function termsFromForm(form: TermsForm): { terms: Terms; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const required: [string, string][] = [
    ['title', 'Enter a title'],
    ['purpose', 'Enter the purpose of the sharing'],
    ['partyLaCodes', 'Enter the LA code of at least one partner authority'],
    ['periodFrom', 'Enter the first academic year, like 2016/17'],
    ['periodTo', 'Enter the last academic year, like 2018/19'],
    ['validFrom', 'Enter the date the protocol starts, like 2026-12-03'],
    ['validTo', 'Enter the date the protocol ends, like 2028-12-02'],
  ];
  for (const [name, message] of required) if (!text(form[name])) fields[name] = message;
  const disclosure = text(form.disclosure);
  if (!(Object.values(DisclosureLevel) as string[]).includes(disclosure)) {
    fields.disclosure = 'Choose how partners see your schools';
  }
  const whole = (name: string): number | undefined => {
    const v = text(form[name]);
    if (!v) return undefined;
    if (!/^\d{1,4}$/.test(v)) {
      fields[name] = 'Enter a whole number, like 6';
      return undefined;
    }
    return Number(v);
  };
  const categories = list(form.categories).filter((c) => CATEGORIES.includes(c));
  if (!categories.length) fields.categories = 'Choose at least one kind of data to share';
  const terms: Terms = {
    title: text(form.title),
    purpose: text(form.purpose),
    partyLaCodes: text(form.partyLaCodes)
      .split(/[\s,]+/)
      .filter(Boolean),
    categories,
    periodFrom: text(form.periodFrom),
    periodTo: text(form.periodTo),
    phases: list(form.phases).filter((p) => PHASES.includes(p)),
    disclosure: disclosure as DisclosureLevel,
    smallCohortThreshold: whole('smallCohortThreshold'),
    minGroupSize: whole('minGroupSize'),
    validFrom: text(form.validFrom),
    validTo: text(form.validTo),
  };
  return { terms, fields };
}

function formValues(p: ProtocolModel | null): TermsForm {
  if (!p) {
    return {
      categories: ['attainment', 'progress', 'context'],
      phases: [],
      disclosure: 'named',
      smallCohortThreshold: '6',
      minGroupSize: '5',
    };
  }
  const t = p.terms;
  return {
    title: t.title,
    purpose: t.purpose,
    partyLaCodes: p.parties
      .filter((x) => x.tenantId !== p.ownerTenantId)
      .map((x) => x.laCode ?? '')
      .join(', '),
    categories: t.categories,
    periodFrom: t.periodFrom,
    periodTo: t.periodTo,
    phases: t.phases,
    disclosure: t.disclosure,
    smallCohortThreshold: String(t.smallCohortThreshold),
    minGroupSize: String(t.minGroupSize),
    validFrom: t.validFrom,
    validTo: t.validTo,
  };
}

const ACTIONS = {
  propose: {
    heading: 'Propose this protocol',
    explain:
      'Every party authority will be asked to sign it. You cannot change a proposed draft; you can amend it later, which needs every signature again.',
    button: 'Propose protocol',
  },
  sign: {
    heading: 'Sign this protocol for your authority',
    explain:
      'Signing agrees to share your schools’ data on these terms. The protocol becomes active when every party has signed.',
    button: 'Sign protocol',
  },
  suspend: {
    heading: 'Suspend this protocol',
    explain:
      'Partners stop seeing your data from their next request, until an amendment is signed. Comparison results that used it become stale.',
    button: 'Suspend protocol',
  },
  revoke: {
    heading: 'Revoke this protocol',
    explain:
      'Revoking ends the protocol for good: from the next request on, partners see none of its data, and comparison results that used it are marked stale and no longer served.',
    button: 'Revoke protocol',
  },
  'opt-out': {
    heading: 'Opt your school out of this protocol',
    explain:
      'Your school’s data will never be shared under this protocol. You cannot undo this here: ask your authority’s LA admin.',
    button: 'Opt out',
  },
} as const;
type Action = keyof typeof ACTIONS;

@Controller('protocols')
export class ProtocolsController {
  constructor(
    private readonly protocols: ProtocolsService,
    private readonly context: TenantContext,
  ) {}

  @Roles(...READERS)
  @Get()
  @Render('pages/protocols.njk')
  async list(): Promise<Record<string, unknown>> {
    const protocols = await this.protocols.list();
    return { pageTitle: 'Data-sharing protocols', protocols, canCreate: this.isAdmin() };
  }

  @Roles('la_admin')
  @Get('new')
  @Render('pages/protocol-terms.njk')
  newForm(): Record<string, unknown> {
    return this.termsView(null, formValues(null), {});
  }

  @Roles('la_admin')
  @Post()
  async create(@Body() body: TermsForm, @Res() res: Response): Promise<void> {
    const { terms, fields } = termsFromForm(body);
    if (!Object.keys(fields).length) {
      try {
        const created = await this.protocols.create(terms);
        res.redirect(303, `/protocols/${created.id}`);
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, TERM_FIELDS));
      }
    }
    res.status(400).render('pages/protocol-terms.njk', this.termsView(null, body, fields));
  }

  @Roles(...READERS)
  @Get(':id')
  @Render('pages/protocol.njk')
  async show(@Param('id') id: string): Promise<Record<string, unknown>> {
    const protocol = await this.protocols.get(idParam(id));
    return { pageTitle: protocol.title, ...this.protocolView(protocol) };
  }

  @Roles('la_admin')
  @Get(':id/amend')
  @Render('pages/protocol-terms.njk')
  async amendForm(@Param('id') id: string): Promise<Record<string, unknown>> {
    const protocol = await this.protocols.get(idParam(id));
    return this.termsView(protocol, formValues(protocol), {});
  }

  @Roles('la_admin')
  @Post(':id/amend')
  async amend(
    @Param('id') id: string,
    @Body() body: TermsForm,
    @Res() res: Response,
  ): Promise<void> {
    const protocol = await this.protocols.get(idParam(id));
    const { terms, fields } = termsFromForm(body);
    if (!Object.keys(fields).length) {
      try {
        await this.protocols.amend(protocol.id, terms);
        res.redirect(303, `/protocols/${protocol.id}`);
        return;
      } catch (error) {
        Object.assign(fields, inputErrors(error, TERM_FIELDS));
      }
    }
    res.status(400).render('pages/protocol-terms.njk', this.termsView(protocol, body, fields));
  }

  /** Every change of state asks first, on a page of its own. */
  @Roles('la_admin', 'headteacher')
  @Get(':id/:action')
  @Render('pages/protocol-confirm.njk')
  async confirm(
    @Param('id') id: string,
    @Param('action') action: string,
  ): Promise<Record<string, unknown>> {
    const protocol = await this.protocols.get(idParam(id));
    const what = this.action(action);
    return {
      pageTitle: ACTIONS[what].heading,
      protocol,
      action: what,
      ...ACTIONS[what],
      needsReason: what === 'suspend' || what === 'revoke',
      fieldErrors: {},
    };
  }

  @Roles('la_admin', 'headteacher')
  @Post(':id/:action')
  async act(
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: { reason?: string; version?: string },
    @Res() res: Response,
  ): Promise<void> {
    const protocolId = idParam(id);
    const what = this.action(action);
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const principal = this.context.principal();
    try {
      if (what === 'propose') await this.protocols.propose(protocolId);
      if (what === 'sign') {
        const version = Number(body.version);
        await this.protocols.sign(protocolId, Number.isInteger(version) ? version : undefined);
      }
      if (what === 'suspend') await this.protocols.suspend(protocolId, reason || undefined);
      if (what === 'revoke') await this.protocols.revoke(protocolId, reason || undefined);
      if (what === 'opt-out')
        await this.protocols.optOut(protocolId, principal.schoolUrn ?? Number.NaN);
      res.redirect(303, `/protocols/${protocolId}`);
    } catch (error) {
      const fields = inputErrors(error, ['reason']);
      const protocol = await this.protocols.get(protocolId);
      res.status(400).render('pages/protocol-confirm.njk', {
        pageTitle: ACTIONS[what].heading,
        protocol,
        action: what,
        ...ACTIONS[what],
        needsReason: what === 'suspend' || what === 'revoke',
        errors: errorList(fields),
        fieldErrors: fields,
      });
    }
  }

  /** Headteachers opt their school out; the rest is an LA admin's. Anything else does not exist. */
  private action(action: string): Action {
    const role = this.context.principal().role;
    const allowed = role === 'headteacher' ? ['opt-out'] : ['propose', 'sign', 'suspend', 'revoke'];
    if (!allowed.includes(action)) throw notFound('Page');
    return action as Action;
  }

  private isAdmin(): boolean {
    return this.context.principal().role === 'la_admin';
  }

  private protocolView(p: ProtocolModel): Record<string, unknown> {
    const principal = this.context.principal();
    const owner = p.ownerTenantId === principal.tenantId;
    const mine = p.parties.find((x) => x.tenantId === principal.tenantId);
    const admin = principal.role === 'la_admin';
    const status = p.status as string;
    const optedOut = p.optOuts.some(
      (o) => o.tenantId === principal.tenantId && o.urn === principal.schoolUrn,
    );
    const actions: { href: string; text: string; warning?: boolean }[] = [];
    if (admin && owner && status === 'draft')
      actions.push({ href: 'propose', text: 'Propose to the parties' });
    if (admin && mine && !mine.signed && ['proposed', 'active', 'suspended'].includes(status)) {
      actions.push({ href: 'sign', text: `Sign version ${p.currentVersion}` });
    }
    if (admin && owner && ['draft', 'proposed', 'active', 'suspended'].includes(status)) {
      actions.push({ href: 'amend', text: 'Amend the terms' });
    }
    if (admin && owner && status === 'active')
      actions.push({ href: 'suspend', text: 'Suspend', warning: true });
    if (admin && owner && ['proposed', 'active', 'suspended'].includes(status)) {
      actions.push({ href: 'revoke', text: 'Revoke', warning: true });
    }
    if (
      principal.role === 'headteacher' &&
      mine &&
      !optedOut &&
      !['revoked', 'expired'].includes(status)
    ) {
      actions.push({ href: 'opt-out', text: 'Opt your school out', warning: true });
    }
    const partyName = new Map(p.parties.map((x) => [x.tenantId, x.name]));
    return {
      protocol: p,
      actions,
      optedOut,
      history: p.history.map((h) => ({
        ...h,
        party: h.actorTenantId ? (partyName.get(h.actorTenantId) ?? '') : '',
      })),
      signatures: p.terms.signatures.map((s) => ({ ...s, party: partyName.get(s.tenantId) ?? '' })),
    };
  }

  private termsView(
    protocol: ProtocolModel | null,
    values: TermsForm,
    fields: Record<string, string>,
  ) {
    const chosen = (name: string) => list(values[name]);
    return {
      pageTitle: protocol ? `Amend ${protocol.title}` : 'Create a protocol',
      protocol,
      action: protocol ? `/protocols/${protocol.id}/amend` : '/protocols',
      values,
      errors: errorList(fields),
      fieldErrors: fields,
      categoryItems: CATEGORIES.map((c) => ({
        value: c,
        text: c[0].toUpperCase() + c.slice(1),
        checked: chosen('categories').includes(c),
      })),
      phaseItems: PHASES.map((c) => ({
        value: c,
        text: c[0].toUpperCase() + c.slice(1),
        checked: chosen('phases').includes(c),
      })),
      disclosureItems: [
        { value: 'named', text: 'Named: schools are identified' },
        {
          value: 'pseudonymised',
          text: 'Pseudonymised: a stable pseudonym instead of URN and name',
        },
        { value: 'aggregate', text: 'Aggregate: only statistics over groups of schools' },
      ].map((d) => ({ ...d, checked: text(values.disclosure) === d.value })),
    };
  }
}
