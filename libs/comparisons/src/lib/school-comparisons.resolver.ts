import { Args, ID, Parent, ResolveField, Resolver } from '@nestjs/graphql';

import { RequestLoaders } from '@schoolbench/graphql';
import { SchoolModel } from '@schoolbench/schools';

import { ComparisonResultsService } from './comparison-results.service';
import { BenchmarkModel, SimilarSchoolModel } from './models/comparison-results.model';

/**
 * `School.similarSchools` and `School.benchmarks`, batched per request: a page of schools costs
 * one query per field, whatever its size.
 */
@Resolver(() => SchoolModel)
export class SchoolComparisonsResolver {
  constructor(
    private readonly results: ComparisonResultsService,
    private readonly loaders: RequestLoaders,
  ) {}

  @ResolveField(() => [SimilarSchoolModel], {
    description:
      "The school's similar-school group: from the given run, or its latest completed comparison.",
  })
  similarSchools(
    @Parent() school: SchoolModel,
    @Args('runId', { type: () => ID, nullable: true }) runId: string | null,
  ): Promise<SimilarSchoolModel[]> {
    const loader = this.loaders.get<number, SimilarSchoolModel[]>(
      `similar-schools:${runId ?? 'latest'}`,
      async (urns) => {
        const byUrn = await this.results.similarSchoolsOf(urns, runId ?? null);
        return urns.map((u) => byUrn.get(u) ?? []);
      },
    );
    return loader.load(school.urn);
  }

  @ResolveField(() => [BenchmarkModel], {
    description: "The school's benchmarks: from the given run, or its latest completed comparison.",
  })
  benchmarks(
    @Parent() school: SchoolModel,
    @Args('measures', { type: () => [String], nullable: true }) measures: string[] | null,
    @Args('period', { type: () => String, nullable: true }) period: string | null,
    @Args('runId', { type: () => ID, nullable: true }) runId: string | null,
  ): Promise<BenchmarkModel[]> {
    const filter = { measures, period };
    const loader = this.loaders.get<number, BenchmarkModel[]>(
      `school-benchmarks:${JSON.stringify([runId, filter])}`,
      async (urns) => {
        const byUrn = await this.results.benchmarksOf(urns, runId ?? null, filter);
        return urns.map((u) => byUrn.get(u) ?? []);
      },
    );
    return loader.load(school.urn);
  }
}
