import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

import { TargetImportProblemModel } from './target.model';

export enum JudgementKind {
  INSPECTION = 'inspection',
  CATEGORISATION = 'categorisation',
}
registerEnumType(JudgementKind, {
  name: 'JudgementKind',
  description:
    "INSPECTION: the latest inspection judgement (outstanding, good, requires_improvement, inadequate). CATEGORISATION: the LA's own category, e.g. school_causing_concern; `none` lifts it.",
});

export enum ConcernReasonKind {
  LOWER_QUARTILE = 'lower_quartile',
  RED_AGAINST_TARGET = 'red_against_target',
  INSPECTION = 'inspection',
  CATEGORISATION = 'categorisation',
}
registerEnumType(ConcernReasonKind, {
  name: 'ConcernReasonKind',
  description: 'Why a school is in the list of schools causing concern (docs/targets.md §5).',
});

@ObjectType('Judgement', { description: 'A judgement as the authority recorded it.' })
export class JudgementModel {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  urn!: number;

  @Field(() => JudgementKind)
  kind!: JudgementKind;

  @Field({ description: 'e.g. good, requires_improvement, school_causing_concern.' })
  judgement!: string;

  @Field({ description: 'The day of the judgement (ISO date).' })
  date!: string;

  @Field()
  source!: string;

  @Field({ description: 'api or csv.' })
  recordedVia!: string;

  @Field(() => GraphQLISODateTime)
  recordedAt!: Date;
}

@ObjectType('SchoolJudgements', { description: "A school's latest judgement of each kind." })
export class SchoolJudgementsModel {
  @Field(() => Int)
  urn!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => JudgementModel, { nullable: true })
  inspection!: JudgementModel | null;

  @Field(() => JudgementModel, { nullable: true })
  categorisation!: JudgementModel | null;
}

@InputType()
export class RecordJudgementInput {
  @Field(() => Int)
  urn!: number;

  @Field(() => JudgementKind, { defaultValue: JudgementKind.INSPECTION })
  kind!: JudgementKind;

  @Field({ description: 'Outstanding, Good, Requires improvement, Inadequate; or a category.' })
  judgement!: string;

  @Field({ description: '2019-03-14 or 14/03/2019.' })
  date!: string;

  @Field()
  source!: string;
}

@ObjectType('JudgementImportReport', {
  description: 'All or nothing: with any error no judgement is written.',
})
export class JudgementImportReportModel {
  @Field()
  accepted!: boolean;

  @Field(() => Int)
  judgements!: number;

  @Field(() => Int)
  errorCount!: number;

  @Field(() => [TargetImportProblemModel])
  problems!: TargetImportProblemModel[];
}

@ObjectType('ConcernReason')
export class ConcernReasonModel {
  @Field(() => ConcernReasonKind)
  kind!: ConcernReasonKind;

  @Field({ description: 'The evidence, in words.' })
  detail!: string;
}

@ObjectType('SchoolCausingConcern', {
  description: 'A school to watch, with every reason found (early warnings combined).',
})
export class SchoolCausingConcernModel {
  @Field(() => Int)
  urn!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => [ConcernReasonModel])
  reasons!: ConcernReasonModel[];
}
