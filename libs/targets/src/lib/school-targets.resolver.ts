import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';

import { RequestLoaders } from '@schoolbench/graphql';
import { SchoolModel } from '@schoolbench/schools';

import { SchoolTargetModel } from './models/target.model';
import { TargetsService } from './targets.service';

/** `School.targets`, batched per request: a page of schools costs one query. */
@Resolver(() => SchoolModel)
export class SchoolTargetsResolver {
  constructor(
    private readonly service: TargetsService,
    private readonly loaders: RequestLoaders,
  ) {}

  @ResolveField(() => [SchoolTargetModel], {
    description:
      "The school's current targets and baselines and any pending proposal: your own schools', and a partner's under a named protocol in force whose scope names targets.",
  })
  targets(
    @Parent() school: SchoolModel,
    @Args('period', { type: () => String, nullable: true }) period: string | null,
    @Args('measure', { type: () => String, nullable: true }) measure: string | null,
  ): Promise<SchoolTargetModel[]> {
    const loader = this.loaders.get<number, SchoolTargetModel[]>(
      `school-targets:${period ?? ''}:${measure ?? ''}`,
      async (urns) => {
        const byUrn = await this.service.currentOfSchools(urns, { period, measure });
        return urns.map((u) => byUrn.get(u) ?? []);
      },
    );
    return loader.load(school.urn);
  }
}
