import { Controller, Get, Param, Query, Render } from '@nestjs/common';

import { ClubDashboardService, ClubsService } from '@schoolbench/clubs';
import { Roles } from '@schoolbench/tenancy';

import { formatValue } from '../charts/number-format';
import { HEADLINE_MEASURES, measureInfo, phaseOf, suppressionText } from './measures';
import { idParam } from './params';
import { authorityName } from './school-pages';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const PERIODS = ['201819', '201718', '201617'];
const QUARTILE_WORDS = ['', 'lowest quarter', 'second quarter', 'third quarter', 'highest quarter'];

@Controller('clubs')
export class ClubsController {
  constructor(
    private readonly clubs: ClubsService,
    private readonly dashboards: ClubDashboardService,
  ) {}

  @Roles(...READERS)
  @Get()
  @Render('pages/clubs.njk')
  async list(): Promise<Record<string, unknown>> {
    const page = await this.clubs.list(100);
    return { pageTitle: 'Clubs', clubs: page.nodes };
  }

  /** The club dashboard at the protocol's disclosure level; the viewer's school highlighted. */
  @Roles(...READERS)
  @Get(':id')
  @Render('pages/club.njk')
  async show(
    @Param('id') id: string,
    @Query('period') periodParam?: string,
    @Query('measure') measureParam?: string | string[],
  ): Promise<Record<string, unknown>> {
    const club = await this.clubs.get(idParam(id));
    const phase = phaseOf(club.phase) ?? 'secondary';
    const available = HEADLINE_MEASURES[phase];
    const asked = (Array.isArray(measureParam) ? measureParam : [measureParam]).filter(
      (m): m is string => !!m && available.includes(m),
    );
    const measures = asked.length ? asked : available.slice(0, 3);
    const period = PERIODS.includes(periodParam ?? '') ? periodParam! : PERIODS[0];
    const dashboard = await this.dashboards.dashboard(club, measures, period);
    const infos = measures.map(measureInfo);
    return {
      pageTitle: club.name,
      club,
      period,
      periods: PERIODS.map((p) => ({
        value: p,
        text: `${p.slice(0, 4)}/${p.slice(4)}`,
        selected: p === period,
      })),
      measureItems: available.map((code) => ({
        value: code,
        text: measureInfo(code).label,
        checked: measures.includes(code),
      })),
      infos,
      dashboard,
      rows: dashboard.schools.map((s) => ({
        name: s.name ?? s.pseudonym ?? 'Not identified under this protocol',
        urn: s.urn,
        authority: authorityName(s.laCode),
        isViewer: s.isViewer,
        cells: infos.map((info) => {
          const v = s.values.find((x) => x.measure === info.code);
          if (!v || (v.value === null && !v.suppression)) return { text: 'no value', quartile: '' };
          if (v.value === null)
            return { text: suppressionText(v.suppression), quartile: '', suppressed: true };
          return {
            text: formatValue(v.value, info.unit, info.decimals),
            quartile: v.quartile ? QUARTILE_WORDS[v.quartile] : '',
          };
        }),
      })),
      statistics: dashboard.statistics.map((st) => {
        const info = measureInfo(st.measure);
        const fmt = (x: number | null) =>
          x === null ? '' : formatValue(x, info.unit, info.decimals);
        return {
          label: info.label,
          n: st.n,
          partnerN: st.partnerN,
          withheld: st.withheld,
          q1: fmt(st.q1),
          median: fmt(st.median),
          q3: fmt(st.q3),
          reason: st.withheldReason,
        };
      }),
    };
  }
}
