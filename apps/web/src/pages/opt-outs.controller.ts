import { Body, Controller, Get, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { SchoolSource, SchoolsService } from '@schoolbench/schools';
import { ProtocolsService, type ProtocolModel } from '@schoolbench/sharing';
import { Roles, TenantContext } from '@schoolbench/tenancy';

import { errorList, inputErrors } from './form-errors';

/** Protocols a school can still leave: revoked and expired ones share nothing any more. */
const OPEN = ['draft', 'proposed', 'active', 'suspended'];
/** Enough for the largest authority's register (Kent has about 600 schools). */
const REGISTER_PAGE = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface OptOutForm {
  protocolId?: string;
  urn?: string;
}

/**
 * An LA admin's view of which of their schools opted out of which protocol (SPEC §2), and the
 * form to opt one out on a headteacher's behalf (ProtocolsService.optOut), asked on a page first.
 */
@Controller('opt-outs')
export class OptOutsController {
  constructor(
    private readonly protocols: ProtocolsService,
    private readonly schools: SchoolsService,
    private readonly context: TenantContext,
  ) {}

  @Roles('la_admin')
  @Get()
  @Render('pages/opt-outs.njk')
  async list(): Promise<Record<string, unknown>> {
    return this.view({}, {});
  }

  @Roles('la_admin')
  @Get('confirm')
  async confirm(@Query() query: OptOutForm, @Res() res: Response): Promise<void> {
    const checked = await this.check(query);
    if ('fields' in checked) {
      res.status(400).render('pages/opt-outs.njk', await this.view(query, checked.fields));
      return;
    }
    res.render('pages/opt-out-confirm.njk', {
      pageTitle: `Opt ${checked.schoolName} out of ${checked.protocol.title}`,
      ...checked,
    });
  }

  @Roles('la_admin')
  @Post()
  async optOut(@Body() body: OptOutForm, @Res() res: Response): Promise<void> {
    const checked = await this.check(body);
    if ('fields' in checked) {
      res.status(400).render('pages/opt-outs.njk', await this.view(body, checked.fields));
      return;
    }
    try {
      await this.protocols.optOut(checked.protocol.id, checked.urn);
      res.redirect(303, '/opt-outs');
    } catch (error) {
      const fields = inputErrors(error, ['urn', 'protocolId']);
      res.status(400).render('pages/opt-outs.njk', await this.view(body, fields));
    }
  }

  /** The form's protocol and school, or what to fix. */
  private async check(
    form: OptOutForm,
  ): Promise<
    | { fields: Record<string, string> }
    | { protocol: ProtocolModel; urn: number; schoolName: string }
  > {
    const fields: Record<string, string> = {};
    const protocolId = String(form.protocolId ?? '').trim();
    const urnText = String(form.urn ?? '').trim();
    const protocol = UUID.test(protocolId)
      ? (await this.protocols.list()).find((p) => p.id === protocolId.toLowerCase())
      : undefined;
    if (!protocol || !OPEN.includes(protocol.status))
      fields.protocolId = 'Choose a protocol your authority is party to';
    const urn = /^\d{6,9}$/.test(urnText) ? Number(urnText) : null;
    const names = await this.ownSchoolNames();
    if (urn === null) fields.urn = 'Enter the URN of one of your schools, like 116001';
    else if (!names.has(urn)) fields.urn = `School ${urn} is not in your authority’s register`;
    else if (protocol && this.optedOut(protocol).some((o) => o.urn === urn))
      fields.urn = `School ${urn} has already opted out of this protocol`;
    if (Object.keys(fields).length || !protocol || urn === null) return { fields };
    return { protocol, urn, schoolName: names.get(urn)! };
  }

  private optedOut(p: ProtocolModel) {
    const me = this.context.principal().tenantId;
    return p.optOuts.filter((o) => o.tenantId === me);
  }

  private async ownSchoolNames(): Promise<Map<number, string>> {
    const page = await this.schools.list({ source: SchoolSource.OWN }, REGISTER_PAGE);
    return new Map(page.nodes.map((s) => [s.urn, s.name]));
  }

  private async view(values: OptOutForm, fields: Record<string, string>) {
    // One after the other: both read in the request's one transaction, on its one connection.
    const protocols = await this.protocols.list();
    const names = await this.ownSchoolNames();
    return {
      pageTitle: 'Schools opted out of protocols',
      protocols: protocols.map((p) => ({
        id: p.id,
        title: p.title,
        status: p.status,
        optOuts: this.optedOut(p).map((o) => ({
          urn: o.urn,
          name: names.get(o.urn) ?? '',
          at: o.optedOutAt,
        })),
      })),
      protocolItems: [
        { value: '', text: 'Choose a protocol' },
        ...protocols
          .filter((p) => OPEN.includes(p.status))
          .map((p) => ({ value: p.id, text: p.title, selected: values.protocolId === p.id })),
      ],
      values,
      fieldErrors: fields,
      errors: errorList(fields),
    };
  }
}
