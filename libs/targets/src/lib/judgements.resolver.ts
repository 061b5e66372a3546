import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { RequestLoaders } from '@schoolbench/graphql';
import { SchoolModel } from '@schoolbench/schools';
import { Roles } from '@schoolbench/tenancy';

import { JudgementsService } from './judgements.service';
import {
  JudgementImportReportModel,
  JudgementModel,
  RecordJudgementInput,
  SchoolCausingConcernModel,
  SchoolJudgementsModel,
} from './models/judgement.model';

const AUTHORITY = ['la_admin', 'analyst'] as const;

/** Judgements, the schools-causing-concern list, and `School.judgements` (batched per request). */
@Resolver(() => SchoolModel)
export class JudgementsResolver {
  constructor(
    private readonly service: JudgementsService,
    private readonly loaders: RequestLoaders,
  ) {}

  @Roles('la_admin')
  @Mutation(() => JudgementModel, {
    description:
      "Record an inspection judgement or the authority's categorisation of one of its schools.",
  })
  recordJudgement(@Args('input') input: RecordJudgementInput): Promise<JudgementModel> {
    return this.service.record(input);
  }

  @Roles('la_admin')
  @Mutation(() => JudgementImportReportModel, {
    description:
      'Inspection judgements from a CSV (URN, judgement, date; source optional): all or nothing, with a validation report.',
  })
  importJudgements(
    @Args('csv') csv: string,
    @Args('fileName', { type: () => String, nullable: true }) fileName: string | null,
  ): Promise<JudgementImportReportModel> {
    return this.service.importCsv(csv, fileName);
  }

  @Roles(...AUTHORITY)
  @Query(() => [SchoolJudgementsModel], {
    description:
      'Your schools by their latest judgement: filter by inspection judgements (e.g. ["requires_improvement", "inadequate"]) and/or a category.',
  })
  judgedSchools(
    @Args('judgements', { type: () => [String], nullable: true }) judgements: string[] | null,
    @Args('categorisation', { type: () => String, nullable: true }) categorisation: string | null,
  ): Promise<SchoolJudgementsModel[]> {
    return this.service.judgedSchools({ judgements, categorisation });
  }

  @Roles(...AUTHORITY)
  @Query(() => [SchoolCausingConcernModel], {
    description:
      'Schools causing concern, with every reason: worst quartile of their group in two of three years, red against target, judged requires improvement or inadequate, or categorised by the authority.',
  })
  schoolsCausingConcern(
    @Args('measure') measure: string,
    @Args('period') period: string,
  ): Promise<SchoolCausingConcernModel[]> {
    return this.service.causingConcern(measure, period);
  }

  @ResolveField(() => SchoolJudgementsModel, {
    nullable: true,
    description:
      "The latest inspection judgement and categorisation: your authority's record of its own school, or a partner's of its school under a named protocol in force whose scope names judgements; null otherwise.",
  })
  judgements(@Parent() school: SchoolModel): Promise<SchoolJudgementsModel | null> {
    const loader = this.loaders.get<number, SchoolJudgementsModel | null>(
      'school-judgements',
      async (urns) => {
        const byUrn = await this.service.latestOf(urns);
        return urns.map((u) => byUrn.get(u) ?? null);
      },
    );
    return loader.load(school.urn);
  }
}
