import { Inject } from '@nestjs/common';
import { Args, Info, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { ConnectionType, pageSize, selects, type Connection } from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { CreateSchoolInput, SchoolModel, SchoolsArgs } from './school.model';
import { SchoolsService } from './schools.service';

const SchoolConnection = ConnectionType(SchoolModel, 'SchoolConnection');

@Resolver(() => SchoolModel)
export class SchoolsResolver {
  constructor(
    private readonly service: SchoolsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles('la_admin', 'analyst', 'headteacher', 'governor')
  @Query(() => SchoolConnection, {
    complexity: ({ args, childComplexity }) => ((args.first as number) ?? 20) * childComplexity,
  })
  schools(
    @Args() args: SchoolsArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<SchoolModel>> {
    return this.service.list(
      { source: args.source, phase: args.phase, laCode: args.laCode, search: args.search },
      pageSize(args.first, this.config.GRAPHQL_MAX_PAGE_SIZE),
      args.after,
      { count: selects(info, 'totalCount') },
    );
  }

  @Roles('la_admin', 'analyst', 'headteacher', 'governor')
  @Query(() => SchoolModel)
  school(@Args('urn', { type: () => Int }) urn: number): Promise<SchoolModel> {
    return this.service.get(urn);
  }

  @Roles('la_admin')
  @Mutation(() => SchoolModel, { description: "Add a school to your authority's register." })
  createSchool(@Args('input') input: CreateSchoolInput): Promise<SchoolModel> {
    return this.service.create(input);
  }
}
