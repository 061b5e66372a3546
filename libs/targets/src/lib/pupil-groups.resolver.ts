import { Args, Int, Query, Resolver } from '@nestjs/graphql';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import { Roles } from '@schoolbench/tenancy';

import { PupilGroupGapModel } from './models/pupil-group.model';

/** "2017" → "201718". */
const periodOfYear = (year: number): string =>
  `${year}${String((year + 1) % 100).padStart(2, '0')}`;

/** The pupil-group drill-down of a school on a measure. */
@Resolver()
export class PupilGroupsResolver {
  constructor(private readonly comparisons: ComparisonResultsService) {}

  @Roles('la_admin', 'analyst', 'headteacher', 'governor')
  @Query(() => [PupilGroupGapModel], {
    description:
      "Each pupil-group breakdown the data has for the school against the same breakdown's median in its similar-school group, with the gap and its three-year trend; empty without a comparison that benchmarked the measure.",
  })
  async pupilGroupGaps(
    @Args('urn', { type: () => Int }) urn: number,
    @Args('measure') measure: string,
  ): Promise<PupilGroupGapModel[]> {
    const found = await this.comparisons.pupilGroupsOf(urn, measure);
    if (!found) return [];
    return found.breakdowns.map(({ breakdown, gap }) => ({
      breakdown,
      runId: found.runId,
      periods: gap.periods.map((p) => ({
        period: p.period,
        value: p.value ?? null,
        groupN: p.groupN,
        insufficientGroup: p.insufficientGroup,
        groupMedian: p.groupMedian ?? null,
        gap: p.gap ?? null,
      })),
      gapTrend: gap.gapTrend.slope ?? null,
      gapTrendPeriods: gap.gapTrend.periodsUsed.map(periodOfYear),
      trendFromTwoPeriods: gap.gapTrend.periodsUsed.length === 2,
    }));
  }
}
