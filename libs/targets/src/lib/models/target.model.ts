import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export enum TargetKind {
  TARGET = 'target',
  BASELINE = 'baseline',
}
registerEnumType(TargetKind, {
  name: 'TargetKind',
  description: 'A target (what the school or authority aims for) or a baseline (where it started).',
});

export enum RagStatusValue {
  green = 'green',
  amber = 'amber',
  red = 'red',
}
registerEnumType(RagStatusValue, {
  name: 'RagStatus',
  description:
    "Against a target: green met; amber short by no more than the authority's margin; red further short (docs/targets.md §3).",
});

export enum GroupPositionValue {
  upper_quartile = 'upper_quartile',
  middle_half = 'middle_half',
  lower_quartile = 'lower_quartile',
}
registerEnumType(GroupPositionValue, {
  name: 'GroupPosition',
  description:
    "Against the similar-school group's quartiles, on the value scale: above the upper quartile, between the quartiles, below the lower quartile.",
});

@ObjectType('TargetEvent', {
  description:
    'One step of a target’s history (append-only): set by the authority, proposed by a headteacher, agreed or returned by an LA admin.',
})
export class TargetEventModel {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true, description: 'Null: the authority as a whole.' })
  urn!: number | null;

  @Field()
  measure!: string;

  @Field({ description: 'EES period, e.g. 201819.' })
  period!: string;

  @Field()
  breakdown!: string;

  @Field(() => TargetKind)
  kind!: TargetKind;

  @Field({ description: 'set, proposed, agreed or returned.' })
  action!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true, description: 'A baseline: the period it was taken from.' })
  baselinePeriod!: string | null;

  @Field(() => ID, { nullable: true, description: 'Agreed or returned: the proposal answered.' })
  answers!: string | null;

  @Field(() => String, { nullable: true, description: 'Why a proposal was returned.' })
  reason!: string | null;

  @Field({ description: 'api or csv.' })
  source!: string;

  @Field(() => ID, { description: 'Who did it.' })
  actorId!: string;

  @Field()
  actorRole!: string;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}

@InputType()
export class SetTargetInput {
  @Field(() => Int, { nullable: true, description: 'A school of yours; omit for the authority.' })
  urn?: number | null;

  @Field()
  measure!: string;

  @Field({ description: 'Academic year: 2018/19 or 201819.' })
  period!: string;

  @Field({ nullable: true, description: 'Pupil-group breakdown; default all.' })
  breakdown?: string;

  @Field(() => TargetKind, { defaultValue: TargetKind.TARGET })
  kind!: TargetKind;

  @Field(() => Float)
  value!: number;

  @Field({ nullable: true, description: 'A baseline: the period its value was taken from.' })
  baselinePeriod?: string;
}

@InputType()
export class ProposeTargetInput {
  @Field(() => Int)
  urn!: number;

  @Field()
  measure!: string;

  @Field()
  period!: string;

  @Field({ nullable: true })
  breakdown?: string;

  @Field(() => Float)
  value!: number;
}

@ObjectType('TargetImportProblem', { description: 'One line of a bulk target file’s report.' })
export class TargetImportProblemModel {
  @Field()
  file!: string;

  @Field(() => Int, { nullable: true })
  line!: number | null;

  @Field(() => String, { nullable: true })
  column!: string | null;

  @Field(() => String, { nullable: true })
  value!: string | null;

  @Field()
  rule!: string;

  @Field()
  severity!: string;

  @Field()
  message!: string;

  @Field()
  fix!: string;
}

@ObjectType('TargetImportReport', {
  description: 'All or nothing: with any error no target is written.',
})
export class TargetImportReportModel {
  @Field({ description: 'Whether the targets were written.' })
  accepted!: boolean;

  @Field(() => Int)
  targets!: number;

  @Field(() => Int)
  errorCount!: number;

  @Field(() => [TargetImportProblemModel])
  problems!: TargetImportProblemModel[];
}

@ObjectType('SchoolTargetStatus', {
  description: 'A school against its target on a measure and period, and against its group.',
})
export class SchoolTargetStatusModel {
  @Field(() => Int)
  urn!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field()
  measure!: string;

  @Field()
  period!: string;

  @Field()
  breakdown!: string;

  @Field(() => Float, { nullable: true, description: 'The current (set or agreed) target.' })
  target!: number | null;

  @Field(() => Float, { nullable: true })
  baseline!: number | null;

  @Field(() => TargetEventModel, {
    nullable: true,
    description: 'A headteacher’s proposal awaiting an answer.',
  })
  pendingProposal!: TargetEventModel | null;

  @Field(() => Float, { nullable: true, description: 'The published value for the period.' })
  actual!: number | null;

  @Field(() => Float, { nullable: true })
  cohort!: number | null;

  @Field(() => RagStatusValue, { nullable: true, description: 'Null without a target or a value.' })
  rag!: RagStatusValue | null;

  @Field(() => Float, { description: 'The amber margin applied.' })
  margin!: number;

  @Field(() => GroupPositionValue, {
    nullable: true,
    description: 'From the latest benchmark; null when its group is insufficient or there is none.',
  })
  groupPosition!: GroupPositionValue | null;
}

@ObjectType('TargetRollup', { description: 'An authority’s schools by RAG on one measure.' })
export class TargetRollupModel {
  @Field()
  measure!: string;

  @Field()
  period!: string;

  @Field(() => Int)
  green!: number;

  @Field(() => Int)
  amber!: number;

  @Field(() => Int)
  red!: number;

  @Field(() => Int, { description: 'Schools with a target but no published value yet.' })
  noValue!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Authority-wide value: school values weighted by cohort.',
  })
  authorityValue!: number | null;

  @Field(() => Float, { nullable: true, description: 'Pupils behind authorityValue.' })
  authorityCohort!: number | null;

  @Field(() => Float, { nullable: true, description: 'The authority-wide target as set.' })
  authorityTarget!: number | null;

  @Field(() => Float, { nullable: true, description: 'The authority-wide baseline as set.' })
  authorityBaseline!: number | null;

  @Field(() => RagStatusValue, { nullable: true })
  authorityRag!: RagStatusValue | null;

  @Field(() => Float, {
    nullable: true,
    description: 'School targets weighted by their cohorts: what the schools’ targets add up to.',
  })
  schoolTargetsWeighted!: number | null;
}

@ObjectType('BenchmarkSettings', { description: 'An authority’s thresholds (docs/targets.md).' })
export class BenchmarkSettingsModel {
  @Field(() => Int)
  minGroupN!: number;

  @Field(() => Float)
  amberMarginPercent!: number;

  @Field(() => Float)
  amberMarginScore!: number;
}

@ObjectType('TargetSuggestion', {
  description:
    'What schools in the similar-school group reach at the 50th, 80th and 95th percentile of performance (FFT50/20/5 in spirit).',
})
export class TargetSuggestionModel {
  @Field(() => Int)
  urn!: number;

  @Field()
  measure!: string;

  @Field()
  period!: string;

  @Field(() => ID, { description: 'The comparison run whose group it came from.' })
  runId!: string;

  @Field(() => [Int], { description: 'The group: member URNs, most similar first.' })
  groupUrns!: number[];

  @Field(() => Int)
  groupN!: number;

  @Field()
  insufficientGroup!: boolean;

  @Field(() => Float, { nullable: true })
  p50!: number | null;

  @Field(() => Float, { nullable: true })
  p80!: number | null;

  @Field(() => Float, { nullable: true })
  p95!: number | null;
}

@ObjectType('SchoolTarget', {
  description:
    "A school's current target or baseline (latest set or agreed), or its pending proposal: its own authority's, or a partner's under a named protocol whose scope names targets (logged in the partner's access log).",
})
export class SchoolTargetModel {
  @Field(() => Int)
  urn!: number;

  @Field()
  measure!: string;

  @Field({ description: 'EES period, e.g. 201819.' })
  period!: string;

  @Field()
  breakdown!: string;

  @Field(() => TargetKind)
  kind!: TargetKind;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true, description: 'A baseline: the period it was taken from.' })
  baselinePeriod!: string | null;

  @Field({ description: 'set or agreed (current), proposed (pending).' })
  action!: string;

  @Field({ description: 'A proposal awaiting the LA admin’s answer, not yet the target.' })
  pending!: boolean;

  @Field({ description: 'The role of who set, agreed or proposed it (never a partner’s user).' })
  actorRole!: string;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}
