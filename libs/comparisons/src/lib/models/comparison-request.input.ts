import { Field, Float, InputType, Int } from '@nestjs/graphql';

import { ComparisonPopulation } from './comparison-run.model';

@InputType()
export class ComparisonTargetInput {
  @Field(() => Int, { nullable: true, description: 'One school of your authority.' })
  urn?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Every school of the phase you hold.' })
  allSchools?: boolean | null;
}

@InputType()
export class FeatureWeightInput {
  @Field()
  feature!: string;

  @Field(() => Float)
  weight!: number;
}

@InputType()
export class ComparisonRequestInput {
  @Field(() => ComparisonTargetInput)
  target!: ComparisonTargetInput;

  @Field({ description: 'primary, secondary, special, …' })
  phase!: string;

  @Field({ description: 'EES time period of the context data, e.g. 201819.' })
  period!: string;

  @Field(() => String, { nullable: true, defaultValue: 'context-knn-v1' })
  method?: string | null;

  @Field(() => Int, { nullable: true, description: "Group size; the method's default if absent." })
  k?: number | null;

  @Field(() => [String], { description: 'Measure codes to benchmark, e.g. ks2_rwm_expected_pct.' })
  outcomeMeasures!: string[];

  @Field(() => ComparisonPopulation, {
    nullable: true,
    defaultValue: ComparisonPopulation.OWN_AND_REFERENCE,
  })
  population?: ComparisonPopulation | null;

  @Field(() => [String], {
    nullable: true,
    description: 'context-knn features (pct_fsm_ever, pct_eal, …, prior_attainment).',
  })
  features?: string[] | null;

  @Field(() => [FeatureWeightInput], { nullable: true })
  weights?: FeatureWeightInput[] | null;
}
