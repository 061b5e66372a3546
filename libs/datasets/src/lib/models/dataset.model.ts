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

import { PageArgs } from '@schoolbench/graphql';

export enum ObservationSource {
  OWN = 'OWN',
  REFERENCE = 'REFERENCE',
  PARTNERS = 'PARTNERS',
}
registerEnumType(ObservationSource, {
  name: 'ObservationSource',
  description:
    "OWN: your authority's datasets. REFERENCE: DfE's published data for all of England. PARTNERS: partner authorities' data shared with yours by active named protocols (cohorts below a protocol's threshold are withheld).",
});

@ObjectType('ValidationProblem', { description: 'One line of a validation report.' })
export class ValidationProblemModel {
  @Field()
  file!: string;

  @Field(() => Int, { nullable: true, description: '1-based; the header is line 1.' })
  line!: number | null;

  @Field(() => String, { nullable: true })
  column!: string | null;

  @Field(() => String, { nullable: true })
  value!: string | null;

  @Field()
  rule!: string;

  @Field({ description: '`error` stops the import; `warning` does not.' })
  severity!: string;

  @Field()
  message!: string;

  @Field({ description: 'What to do about it, in plain English.' })
  fix!: string;
}

@ObjectType('RuleCount')
export class RuleCountModel {
  @Field()
  rule!: string;

  @Field()
  severity!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('NotStoredCells')
export class NotStoredCellsModel {
  @Field({
    description:
      'Why the column is not stored: school_details, earlier_year, three_year_average, la_comparator, description, ignored_by_profile.',
  })
  reason!: string;

  @Field(() => Int)
  cells!: number;
}

@ObjectType('CellCoverage', {
  description:
    "The file's non-empty school-row cells: stored, not a measure (why), unknown column.",
})
export class CellCoverageModel {
  @Field(() => Int)
  stored!: number;

  @Field(() => [NotStoredCellsModel])
  notMeasure!: NotStoredCellsModel[];

  @Field(() => Int)
  unknown!: number;

  @Field(() => [String])
  unknownColumns!: string[];
}

@ObjectType('Dataset', { description: 'One imported file: a version of a series of data.' })
export class DatasetModel {
  @Field(() => ID)
  id!: string;

  @Field()
  fileName!: string;

  @Field({ description: 'What a corrected file replaces: the file kind and its periods.' })
  series!: string;

  @Field(() => Int)
  version!: number;

  @Field({ description: '`queued`, `importing`, `published` or `failed`.' })
  status!: string;

  @Field({ description: 'True for the published version that queries read.' })
  isCurrent!: boolean;

  @Field(() => String, { nullable: true, description: 'The adapter that read the file.' })
  format!: string | null;

  @Field()
  contentHash!: string;

  @Field(() => Int)
  rowsRead!: number;

  @Field(() => Int)
  observationCount!: number;

  @Field(() => Int)
  areaObservationCount!: number;

  @Field(() => Int)
  schoolCount!: number;

  @Field(() => Int)
  errorCount!: number;

  @Field(() => Int)
  warningCount!: number;

  @Field(() => [String])
  periods!: string[];

  @Field(() => Int, { description: '0 to 100 while importing.' })
  progress!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  publishedAt!: Date | null;

  @Field(() => [RuleCountModel], { description: 'Problems counted by rule (exact).' })
  problemCounts!: RuleCountModel[];

  @Field(() => CellCoverageModel, {
    nullable: true,
    description: 'Null for files without measures (school lists, meta files) and older imports.',
  })
  cells!: CellCoverageModel | null;

  @Field(() => [ValidationProblemModel], {
    description: 'The problems, errors first (the first 1,000).',
  })
  problems!: ValidationProblemModel[];
}

@ObjectType('Observation')
export class ObservationModel {
  @Field(() => Int)
  urn!: number;

  @Field()
  measure!: string;

  @Field({ description: 'EES time_period, e.g. 201819.' })
  timePeriod!: string;

  @Field()
  timeIdentifier!: string;

  @Field()
  breakdown!: string;

  @Field(() => Float, { nullable: true, description: 'Null when suppressed: see `suppression`.' })
  value!: number | null;

  @Field(() => String, { nullable: true, description: 'EES symbol: c, x, z, low or u.' })
  suppression!: string | null;

  @Field(() => Float, { nullable: true })
  numerator!: number | null;

  @Field(() => Float, { nullable: true })
  denominator!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'For a suppressed value, the code the published file used (SUPP, NE, NA, NP, LOWCOV, NEW, an EES symbol, …).',
  })
  sourceCode!: string | null;

  @Field(() => ID)
  datasetId!: string;
}

@InputType()
export class ObservationFilter {
  @Field(() => [Int], { nullable: true })
  urns?: number[];

  @Field(() => [String], { nullable: true, description: 'Measure codes from `measures`.' })
  measures?: string[];

  @Field(() => [String], { nullable: true, description: 'EES time periods, e.g. 201819.' })
  periods?: string[];

  @Field(() => [String], { nullable: true })
  breakdowns?: string[];

  @Field(() => ID, {
    nullable: true,
    description: 'A given dataset version instead of the current ones.',
  })
  datasetId?: string;

  @Field(() => ObservationSource, { nullable: true, defaultValue: ObservationSource.OWN })
  source?: ObservationSource;
}

@InputType()
export class SchoolObservationFilter {
  @Field(() => [String], { nullable: true })
  measures?: string[];

  @Field(() => [String], { nullable: true })
  periods?: string[];

  @Field(() => [String], { nullable: true })
  breakdowns?: string[];
}

export class ObservationsArgs extends PageArgs {}

@ObjectType('Measure', { description: 'An entry of the measure catalogue.' })
export class MeasureModel {
  @Field()
  code!: string;

  @Field()
  label!: string;

  @Field({ description: 'attainment, progress, context, attendance or finance.' })
  category!: string;

  @Field({ description: 'percent, score, count, gbp or ratio.' })
  unit!: string;

  @Field({ description: 'higher_better, lower_better or neutral.' })
  polarity!: string;

  @Field(() => [String])
  phases!: string[];

  @Field(() => Int)
  decimals!: number;

  @Field(() => [String], {
    description:
      'Source columns, as `format: COLUMN (breakdown)`, with the years where a source is limited to some (`dfe-cfr 201819: T1819CAT1 (all)`).',
  })
  sourceColumns!: string[];

  @Field(() => String, {
    nullable: true,
    description:
      'The measure holding the lower 95% confidence limit of this one, where DfE publishes it.',
  })
  confidenceLowerMeasure!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The measure holding the upper 95% confidence limit of this one, where DfE publishes it.',
  })
  confidenceUpperMeasure!: string | null;
}

@ObjectType('MappingProfile')
export class MappingProfileModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The profile as JSON text.' })
  definition!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
