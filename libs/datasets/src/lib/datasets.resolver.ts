import { Inject } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';
import {
  ConnectionType,
  PageArgs,
  pageSize,
  RequestLoaders,
  type Connection,
} from '@schoolbench/graphql';
import { SchoolModel } from '@schoolbench/schools';
import { Roles } from '@schoolbench/tenancy';

import { DatasetsService } from './datasets.service';
import { MappingProfilesService } from './mapping-profiles.service';
import {
  DatasetModel,
  MappingProfileModel,
  MeasureModel,
  ObservationFilter,
  ObservationModel,
  SchoolObservationFilter,
} from './models/dataset.model';

const DatasetConnection = ConnectionType(DatasetModel, 'DatasetConnection');
const ObservationConnection = ConnectionType(ObservationModel, 'ObservationConnection');

const ANALYSTS = ['la_admin', 'analyst'] as const;
const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;

@Resolver(() => DatasetModel)
export class DatasetsResolver {
  constructor(
    private readonly service: DatasetsService,
    private readonly profiles: MappingProfilesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles(...ANALYSTS)
  @Query(() => DatasetConnection, { description: "Your authority's imported files, newest first." })
  datasets(@Args() page: PageArgs): Promise<Connection<DatasetModel>> {
    return this.service.list(pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE), page.after);
  }

  @Roles(...ANALYSTS)
  @Query(() => DatasetModel, { description: 'One dataset version with its validation report.' })
  dataset(@Args('id', { type: () => ID }) id: string): Promise<DatasetModel> {
    return this.service.get(id);
  }

  @Roles(...READERS)
  @Query(() => ObservationConnection, {
    description: 'Observations of the current dataset versions (or of one version by id).',
    complexity: ({ args, childComplexity }) => ((args.first as number) ?? 20) * childComplexity,
  })
  observations(
    @Args('filter', { type: () => ObservationFilter, nullable: true })
    filter: ObservationFilter | null,
    @Args() page: PageArgs,
  ): Promise<Connection<ObservationModel>> {
    return this.service.observations(
      filter ?? {},
      pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE),
      page.after,
    );
  }

  @Roles(...READERS)
  @Query(() => [MeasureModel], { description: 'The measure catalogue.' })
  measures(): MeasureModel[] {
    return MEASURE_CATALOGUE.measures.map((m) => ({
      code: m.code,
      label: m.label,
      category: m.category,
      unit: m.unit,
      polarity: m.polarity,
      phases: m.phases,
      decimals: m.decimals,
      sourceColumns: m.sources.flatMap((s) =>
        Object.entries(s.columns).map(
          ([breakdown, column]) =>
            `${s.format}${s.years ? ` ${s.years.join(',')}` : ''}: ${column} (${breakdown})`,
        ),
      ),
      confidenceLowerMeasure: m.confidenceInterval?.lower ?? null,
      confidenceUpperMeasure: m.confidenceInterval?.upper ?? null,
    }));
  }

  @Roles(...ANALYSTS)
  @Query(() => [MappingProfileModel])
  mappingProfiles(): Promise<MappingProfileModel[]> {
    return this.profiles.list();
  }

  @Roles('la_admin')
  @Mutation(() => MappingProfileModel, {
    description: 'Store a mapping profile (JSON) for uploads.',
  })
  createMappingProfile(
    @Args('name') name: string,
    @Args('definition') definition: string,
  ): Promise<MappingProfileModel> {
    return this.profiles.create(name, definition);
  }

  @Roles('la_admin')
  @Mutation(() => Boolean)
  deleteMappingProfile(@Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.profiles.remove(id);
  }
}

/** `School.observations`, batched per request: a page of schools costs one query. */
@Resolver(() => SchoolModel)
export class SchoolObservationsResolver {
  constructor(
    private readonly service: DatasetsService,
    private readonly loaders: RequestLoaders,
  ) {}

  @ResolveField(() => [ObservationModel])
  observations(
    @Parent() school: SchoolModel,
    @Args('filter', { type: () => SchoolObservationFilter, nullable: true })
    filter: SchoolObservationFilter | null,
  ): Promise<ObservationModel[]> {
    const f = filter ?? {};
    const loader = this.loaders.get<number, ObservationModel[]>(
      `school-observations:${JSON.stringify(f)}`,
      async (urns) => {
        const byUrn = await this.service.observationsOfSchools(urns, f);
        return urns.map((u) => byUrn.get(u) ?? []);
      },
    );
    return loader.load(school.urn);
  }
}
