import { Body, Controller, Get, Param, Post, Render, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ClubsService, type ClubModel } from '@schoolbench/clubs';
import { DomainError, forbidden, notFound } from '@schoolbench/graphql';
import { ProtocolsService } from '@schoolbench/sharing';
import { Roles, TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import { errorList, inputErrors } from './form-errors';
import { idParam, urnParam } from './params';

/** A club can be bound only to a protocol that is proposed or active (ClubsService.create). */
const OPEN_PROTOCOLS = ['proposed', 'active'];
const PHASES = ['Primary', 'Secondary'];

interface ClubForm {
  name?: string;
  protocolId?: string;
  phase?: string;
  members?: string;
}

/** URNs typed one per line or separated by commas or spaces; null when something else is there. */
export function urnsFromText(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.some((p) => !/^\d{6,9}$/.test(p))) return null;
  return [...new Set(parts.map(Number))];
}

/**
 * Running clubs (SPEC §7) through ClubsService: an LA admin creates a club under a protocol and
 * manages its members; a member school's headteacher takes their school out. Everything that
 * removes asks first, on a page of its own.
 */
@Controller('clubs')
export class ClubManagementController {
  constructor(
    private readonly clubs: ClubsService,
    private readonly protocols: ProtocolsService,
    private readonly context: TenantContext,
    private readonly tx: TenantTransactions,
  ) {}

  @Roles('la_admin')
  @Get('new')
  @Render('pages/club-new.njk')
  async newForm(): Promise<Record<string, unknown>> {
    return this.newView({}, {});
  }

  @Roles('la_admin')
  @Post()
  async create(@Body() body: ClubForm, @Res() res: Response): Promise<void> {
    const values = {
      name: String(body.name ?? '').trim(),
      protocolId: String(body.protocolId ?? '').trim(),
      phase: String(body.phase ?? ''),
      members: String(body.members ?? ''),
    };
    const fields: Record<string, string> = {};
    if (!values.name) fields.name = 'Enter a name for the club';
    if (!values.protocolId) fields.protocolId = 'Choose the protocol the club shares under';
    if (values.phase && !PHASES.includes(values.phase)) fields.phase = 'Choose a phase';
    const urns = urnsFromText(values.members);
    if (urns === null)
      fields.members = 'Enter school URNs of 6 to 9 digits, one per line or separated by commas';
    if (!Object.keys(fields).length) {
      try {
        // One transaction: a member the service refuses leaves no half-made club behind.
        const club = await this.tx.run(async () => {
          const created = await this.clubs.create({
            name: values.name,
            protocolId: values.protocolId,
            phase: values.phase || null,
          });
          for (const urn of urns ?? []) await this.clubs.addMember(created.id, urn);
          return created;
        });
        res.redirect(303, `/clubs/${club.id}/members`);
        return;
      } catch (error) {
        if (isDomainNotFound(error)) {
          fields.protocolId = 'Choose the protocol the club shares under';
        } else {
          // The service names `urn` (a member) and `clubId` (its protocol's state); the form has
          // `members` and `protocolId`.
          const found = inputErrors(error, ['name', 'protocolId', 'phase', 'urn', 'clubId']);
          const { urn, clubId, ...rest } = found;
          Object.assign(
            fields,
            rest,
            urn ? { members: urn } : {},
            clubId ? { protocolId: clubId } : {},
          );
        }
      }
    }
    res.status(400).render('pages/club-new.njk', await this.newView(values, fields));
  }

  @Roles('la_admin')
  @Get(':id/members')
  @Render('pages/club-members.njk')
  async members(@Param('id') id: string): Promise<Record<string, unknown>> {
    return this.membersView(await this.coordinated(id), {}, {});
  }

  @Roles('la_admin')
  @Post(':id/members')
  async addMember(
    @Param('id') id: string,
    @Body() body: { urn?: string },
    @Res() res: Response,
  ): Promise<void> {
    const club = await this.coordinated(id);
    const urnText = String(body.urn ?? '').trim();
    const fields: Record<string, string> = {};
    if (!/^\d{6,9}$/.test(urnText)) fields.urn = 'Enter the URN of the school, like 116001';
    if (!Object.keys(fields).length) {
      try {
        await this.clubs.addMember(club.id, Number(urnText));
        res.redirect(303, `/clubs/${club.id}/members`);
        return;
      } catch (error) {
        const found = inputErrors(error, ['urn']);
        fields.urn = Object.values(found)[0];
      }
    }
    res
      .status(400)
      .render('pages/club-members.njk', await this.membersView(club, { urn: urnText }, fields));
  }

  @Roles('la_admin')
  @Get(':id/members/:urn/remove')
  @Render('pages/confirm.njk')
  async removeConfirm(
    @Param('id') id: string,
    @Param('urn') urnText: string,
  ): Promise<Record<string, unknown>> {
    const club = await this.coordinated(id);
    const member = await this.member(club, urnParam(urnText));
    return {
      pageTitle: `Remove ${member.name ?? member.urn} from ${club.name}`,
      heading: `Remove ${member.name ?? `school ${member.urn}`} from the club “${club.name}”?`,
      explain:
        'The school leaves the club at once: it no longer appears on the club’s dashboard, and it no longer sees the other members. You can add it again later.',
      action: `/clubs/${club.id}/members/${member.urn}/remove`,
      button: 'Remove school',
      cancel: `/clubs/${club.id}/members`,
    };
  }

  @Roles('la_admin')
  @Post(':id/members/:urn/remove')
  async remove(
    @Param('id') id: string,
    @Param('urn') urnText: string,
    @Res() res: Response,
  ): Promise<void> {
    const club = await this.coordinated(id);
    await this.clubs.removeMember(club.id, urnParam(urnText));
    res.redirect(303, `/clubs/${club.id}/members`);
  }

  @Roles('headteacher')
  @Get(':id/leave')
  @Render('pages/confirm.njk')
  async leaveConfirm(@Param('id') id: string): Promise<Record<string, unknown>> {
    const club = await this.clubs.get(idParam(id));
    return {
      pageTitle: `Leave ${club.name}`,
      heading: `Take your school out of the club “${club.name}”?`,
      explain:
        'Your school leaves at once: the other members no longer see it, and you no longer see the club’s dashboard. Only the club’s coordinator can add it again.',
      action: `/clubs/${club.id}/leave`,
      button: 'Leave the club',
      cancel: `/clubs/${club.id}`,
    };
  }

  @Roles('headteacher')
  @Post(':id/leave')
  async leave(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const club = await this.clubs.get(idParam(id));
    await this.clubs.leave(club.id, this.context.principal().schoolUrn ?? Number.NaN);
    res.redirect(303, '/clubs');
  }

  /** A club the caller's authority runs; a club they only take part in is not theirs to manage. */
  private async coordinated(id: string): Promise<ClubModel> {
    const club = await this.clubs.get(idParam(id));
    if (!club.isCoordinator) {
      throw forbidden(`Only ${club.coordinator.name}, which runs this club, manages its members`);
    }
    return club;
  }

  private async member(club: ClubModel, urn: number) {
    const [members] = await this.clubs.membersOf([club]);
    const member = members.find((x) => x.urn === urn);
    if (!member) throw notFound('Page');
    return member;
  }

  private async newView(values: ClubForm, fields: Record<string, string>) {
    const protocols = (await this.protocols.list()).filter((p) =>
      OPEN_PROTOCOLS.includes(p.status),
    );
    return {
      pageTitle: 'Create a club',
      values,
      fieldErrors: fields,
      errors: errorList(fields),
      noProtocols: protocols.length === 0,
      protocolItems: [
        { value: '', text: 'Choose a protocol' },
        ...protocols.map((p) => ({
          value: p.id,
          text: `${p.title} (${p.status})`,
          selected: values.protocolId === p.id,
        })),
      ],
      phaseItems: [
        { value: '', text: 'Any phase' },
        ...PHASES.map((p) => ({ value: p, text: p })),
      ].map((p) => ({ ...p, checked: (values.phase ?? '') === p.value })),
    };
  }

  private async membersView(
    club: ClubModel,
    values: Record<string, string>,
    fields: Record<string, string>,
  ) {
    const [members] = await this.clubs.membersOf([club]);
    return {
      pageTitle: `Members of ${club.name}`,
      club,
      members,
      values,
      fieldErrors: fields,
      errors: errorList(fields),
    };
  }
}

/** The protocol chosen is not one the caller can see (a forged form): the field to fix. */
function isDomainNotFound(error: unknown): boolean {
  return (
    error instanceof DomainError && error.code === 'NOT_FOUND' && /^Protocol /.test(error.message)
  );
}
