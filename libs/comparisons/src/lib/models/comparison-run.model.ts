import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export enum ComparisonRunStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  COMPLETED = 'completed',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}
registerEnumType(ComparisonRunStatus, {
  name: 'ComparisonRunStatus',
  description: 'QUEUED → RUNNING → COMPLETED, or FAILED (after retries) or CANCELLED.',
});

export enum ComparisonPopulation {
  OWN = 'OWN',
  OWN_AND_REFERENCE = 'OWN_AND_REFERENCE',
}
registerEnumType(ComparisonPopulation, {
  name: 'ComparisonPopulation',
  description:
    "OWN: your authority's schools only. OWN_AND_REFERENCE: yours and DfE's published schools of England.",
});

@ObjectType('FeatureWeight')
export class FeatureWeightModel {
  @Field()
  feature!: string;

  @Field(() => Float)
  weight!: number;
}

@ObjectType('ComparisonParameters', { description: 'The request as the run recorded it.' })
export class ComparisonParametersModel {
  @Field(() => Int, { nullable: true, description: 'The one target school, if not all.' })
  targetUrn!: number | null;

  @Field()
  allSchools!: boolean;

  @Field()
  phase!: string;

  @Field({ description: 'EES time period of the context, and the latest outcome period.' })
  period!: string;

  @Field(() => Int, { description: 'Group size: similar schools per school.' })
  k!: number;

  @Field(() => [String])
  outcomeMeasures!: string[];

  @Field(() => ComparisonPopulation)
  population!: ComparisonPopulation;

  @Field(() => [String], {
    nullable: true,
    description: "Features asked for; null means the method's defaults.",
  })
  features!: string[] | null;

  @Field(() => [FeatureWeightModel], { nullable: true })
  weights!: FeatureWeightModel[] | null;
}

@ObjectType('ExcludedSchool')
export class ExcludedSchoolModel {
  @Field(() => Int)
  urn!: number;

  @Field()
  reason!: string;
}

@ObjectType('ComparisonRunSummary', { description: 'What a finished run found.' })
export class ComparisonRunSummaryModel {
  @Field(() => Int, { description: 'Schools the method grouped.' })
  populationSize!: number;

  @Field(() => Int, { description: 'Schools of the phase left out (a missing feature).' })
  populationExcluded!: number;

  @Field(() => [String], { description: 'Features the method used.' })
  features!: string[];

  @Field(() => Int, { description: 'Target schools with a group and benchmarks.' })
  targets!: number;

  @Field(() => [ExcludedSchoolModel], { description: 'Target schools without a group, and why.' })
  excludedTargets!: ExcludedSchoolModel[];

  @Field(() => [String])
  notes!: string[];
}

@ObjectType('ComparisonRun', {
  description:
    'A comparison job: similar-school groups and benchmarks, computed on the queue. Poll `status` and `progress`.',
})
export class ComparisonRunModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ComparisonRunStatus)
  status!: ComparisonRunStatus;

  @Field(() => Int, { description: '0–100.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: 'What the job is doing or did.' })
  message!: string | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  error!: string | null;

  @Field({ description: 'Method id, e.g. context-knn-v1.' })
  method!: string;

  @Field(() => Int)
  methodVersion!: number;

  @Field(() => ComparisonParametersModel)
  parameters!: ComparisonParametersModel;

  @Field(() => [ID], { description: 'The dataset versions the run read.' })
  datasetVersions!: string[];

  @Field(() => Int, { description: 'Times a worker started it (retries included).' })
  attempts!: number;

  @Field(() => ComparisonRunSummaryModel, { nullable: true })
  summary!: ComparisonRunSummaryModel | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}
