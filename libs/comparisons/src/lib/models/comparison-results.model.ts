import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { SchoolSource } from '@schoolbench/schools';

export enum ProgressBandValue {
  well_above = 'well_above',
  above = 'above',
  average = 'average',
  below = 'below',
  well_below = 'well_below',
}
registerEnumType(ProgressBandValue, {
  name: 'ProgressBand',
  description:
    "DfE's progress band from its published 95% confidence interval (docs/targets.md §2): average when the interval includes 0; above/below when it lies wholly above/below 0; well above/below when also beyond DfE's threshold for the year.",
});

export enum SignificanceValue {
  above = 'above',
  below = 'below',
  not_significant = 'not_significant',
}
registerEnumType(SignificanceValue, {
  name: 'Significance',
  description:
    "Whether the school's confidence interval lies wholly above or below a reference (here the group median).",
});

@ObjectType('FeatureShare', {
  description:
    "A feature's share of the squared distance: small shares are what make schools close.",
})
export class FeatureShareModel {
  @Field()
  feature!: string;

  @Field()
  label!: string;

  @Field(() => Float, { description: '0–1; the shares of one member sum to 1.' })
  share!: number;
}

@ObjectType('SimilarSchool', { description: 'A member of a school’s similar-school group.' })
export class SimilarSchoolModel {
  @Field(() => Int, { description: '1 = most similar.' })
  rank!: number;

  @Field(() => Int)
  urn!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  laCode!: string | null;

  @Field(() => SchoolSource, { description: 'Whose data it is.' })
  source!: SchoolSource;

  @Field(() => Float)
  distance!: number;

  @Field(() => [FeatureShareModel], { description: 'Closest features first.' })
  featureShares!: FeatureShareModel[];

  @Field(() => ID)
  runId!: string;
}

@ObjectType('SchoolGroup')
export class SchoolGroupModel {
  @Field(() => Int)
  urn!: number;

  @Field(() => [SimilarSchoolModel])
  members!: SimilarSchoolModel[];
}

@ObjectType('Benchmark', {
  description:
    'A school against its group on one measure and period. Suppressed values are left out of every statistic and counted.',
})
export class BenchmarkModel {
  @Field(() => ID)
  runId!: string;

  @Field(() => Int)
  urn!: number;

  @Field()
  measure!: string;

  @Field({ description: 'EES time period, e.g. 201819.' })
  period!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => String, { nullable: true, description: 'EES code when the value is suppressed.' })
  suppression!: string | null;

  @Field(() => Int, { description: 'Group members with a usable value.' })
  groupN!: number;

  @Field(() => Float, { nullable: true })
  median!: number | null;

  @Field(() => Float, { nullable: true, description: '25th percentile (type 7).' })
  lowerQuartile!: number | null;

  @Field(() => Float, { nullable: true, description: '75th percentile (type 7).' })
  upperQuartile!: number | null;

  @Field(() => Float, { nullable: true, description: '0–100, on the value scale.' })
  percentileRank!: number | null;

  @Field(() => Int, { nullable: true, description: '1 = best by the measure’s polarity.' })
  rank!: number | null;

  @Field(() => Int, { nullable: true, description: 'n: the school and its members with a value.' })
  rankOf!: number | null;

  @Field(() => Float, { nullable: true })
  gapToMedian!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Least-squares change per year over the last three years up to this period.',
  })
  trendSlope!: number | null;

  @Field(() => [String], { description: 'Periods the trend used.' })
  trendPeriods!: string[];

  @Field(() => Float, {
    nullable: true,
    description: 'Disadvantaged minus not-disadvantaged, this school.',
  })
  disadvantagedGap!: number | null;

  @Field(() => Float, { nullable: true, description: "Median of the members' own gaps." })
  groupDisadvantagedGap!: number | null;

  @Field(() => Float, { nullable: true, description: 'disadvantagedGap − groupDisadvantagedGap.' })
  disadvantagedGapDifference!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'OLS of the outcome on the context features over the population.',
  })
  expectedValue!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'value − expectedValue: contextual value added.',
  })
  residual!: number | null;

  @Field(() => Int, { description: 'Group values left out as suppressed.' })
  suppressedCount!: number;

  @Field(() => Int, { description: 'Group members with no observation.' })
  missingCount!: number;

  @Field(() => Int, {
    description: "The authority's minimum group size: fewer members with a value give no spread.",
  })
  minGroupN!: number;

  @Field({
    description:
      'Fewer than minGroupN members have a value: median, quartiles, percentile rank, rank and gap are withheld (null) and memberValues given instead.',
  })
  insufficientGroup!: boolean;

  @Field(() => [Float], {
    nullable: true,
    description: "The members' usable values, ascending; only for an insufficient group.",
  })
  memberValues!: number[] | null;

  @Field(() => Float, {
    nullable: true,
    description: "The school's cohort for the value (pupils), where the data gives it.",
  })
  cohort!: number | null;

  @Field({ description: 'Cohort under 11 pupils: one or two pupils move the figure a lot.' })
  smallCohort!: boolean;

  @Field(() => Float, {
    nullable: true,
    description:
      "DfE's lower 95% confidence limit of the school's value, for every measure DfE gives limits for (KS2 progress, Progress 8 and its elements, ...), as the run stored it.",
  })
  confidenceLower!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "DfE's upper 95% confidence limit of the school's value, for every measure DfE gives limits for, as the run stored it.",
  })
  confidenceUpper!: number | null;

  @Field(() => ProgressBandValue, {
    nullable: true,
    description:
      "DfE's band, for the measures DfE bands (KS2 reading, writing and maths progress; Progress 8); null for others, without limits, or where the year's 'well' thresholds are not pinned and the score is significant.",
  })
  progressBand!: ProgressBandValue | null;

  @Field(() => SignificanceValue, {
    nullable: true,
    description:
      'Against the group median: significant only when the confidence interval excludes it. Null without an interval or a median.',
  })
  versusGroupMedian!: SignificanceValue | null;

  @Field({
    description: 'The trend is a line through two periods only: read it as a change, not a trend.',
  })
  trendFromTwoPeriods!: boolean;
}

@ObjectType('EarlyWarning', {
  description:
    "A school causing concern on a measure: in its group's worst quartile in at least `required` of the last periods, or below the floor.",
})
export class EarlyWarningModel {
  @Field(() => ID)
  runId!: string;

  @Field(() => Int)
  urn!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field()
  measure!: string;

  @Field(() => [String], { description: 'Periods in which it was in the worst quartile.' })
  worstQuartilePeriods!: string[];

  @Field(() => [String])
  periodsConsidered!: string[];

  @Field(() => Float, { nullable: true })
  latestValue!: number | null;

  @Field({ description: 'Worst quartile in at least `required` of the periods considered.' })
  inWorstQuartile!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Null when no floor was given.' })
  belowFloor!: boolean | null;

  @Field({ description: 'Both signals at once (the library’s early warning with the floor).' })
  bothSignals!: boolean;
}
