import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('PupilGroupPeriod', { description: 'One period of a pupil group against its group.' })
export class PupilGroupPeriodModel {
  @Field()
  period!: string;

  @Field(() => Float, { nullable: true, description: "The school's value for the pupil group." })
  value!: number | null;

  @Field(() => Int, { description: 'Group members with a value for the same pupil group.' })
  groupN!: number;

  @Field()
  insufficientGroup!: boolean;

  @Field(() => Float, { nullable: true, description: "Median of the members' values." })
  groupMedian!: number | null;

  @Field(() => Float, { nullable: true, description: 'value − groupMedian.' })
  gap!: number | null;
}

@ObjectType('PupilGroupGap', {
  description:
    "A pupil-group breakdown of a school against the same breakdown's median in its similar-school group (docs/targets.md §6).",
})
export class PupilGroupGapModel {
  @Field({ description: 'e.g. disadvantaged, sen, eal, boys, prior_low.' })
  breakdown!: string;

  @Field(() => ID, { description: 'The comparison run whose group it is.' })
  runId!: string;

  @Field(() => [PupilGroupPeriodModel], { description: 'Oldest first.' })
  periods!: PupilGroupPeriodModel[];

  @Field(() => Float, {
    nullable: true,
    description: 'Least-squares change of the gap per year over the last three years.',
  })
  gapTrend!: number | null;

  @Field(() => [String])
  gapTrendPeriods!: string[];

  @Field({ description: 'The trend is a line through two periods only.' })
  trendFromTwoPeriods!: boolean;
}
