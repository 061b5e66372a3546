import { Inject } from '@nestjs/common';
import {
  Args,
  Float,
  ID,
  Info,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import {
  ConnectionType,
  PageArgs,
  pageSize,
  selectedArguments,
  type Connection,
} from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { ComparisonResultsService } from './comparison-results.service';
import { ComparisonRunUpdates } from './comparison-run-updates';
import { ComparisonRunsService } from './comparison-runs.service';
import { ComparisonRequestInput } from './models/comparison-request.input';
import {
  BenchmarkModel,
  EarlyWarningModel,
  SchoolGroupModel,
} from './models/comparison-results.model';
import { ComparisonRunModel } from './models/comparison-run.model';

const ComparisonRunConnection = ConnectionType(ComparisonRunModel, 'ComparisonRunConnection');

const REQUESTERS = ['la_admin', 'analyst', 'headteacher'] as const;
const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const ANALYSTS = ['la_admin', 'analyst'] as const;

@Resolver(() => ComparisonRunModel)
export class ComparisonRunsResolver {
  constructor(
    private readonly runs: ComparisonRunsService,
    private readonly results: ComparisonResultsService,
    private readonly updates: ComparisonRunUpdates,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles(...REQUESTERS)
  @Mutation(() => ComparisonRunModel, {
    description:
      'Queue a comparison (similar schools and benchmarks). Returns at once: a new queued run, an identical run in flight, or a completed one with the same parameters and dataset versions.',
  })
  requestComparison(@Args('input') input: ComparisonRequestInput): Promise<ComparisonRunModel> {
    return this.runs.request({
      target: input.target,
      phase: input.phase,
      period: input.period,
      method: input.method,
      k: input.k,
      outcomeMeasures: input.outcomeMeasures,
      population: input.population,
      features: input.features,
      weights: input.weights,
    });
  }

  @Roles(...REQUESTERS)
  @Mutation(() => ComparisonRunModel, {
    description: 'Cancel a queued or running comparison; a running one stops without writing.',
  })
  cancelComparison(@Args('id', { type: () => ID }) id: string): Promise<ComparisonRunModel> {
    return this.runs.cancel(id);
  }

  @Roles(...READERS)
  @Query(() => ComparisonRunConnection, {
    description: 'Comparison runs, newest first (stale runs are not served).',
    complexity: ({ args, childComplexity }) => ((args.first as number) ?? 20) * childComplexity,
  })
  comparisonRuns(@Args() page: PageArgs): Promise<Connection<ComparisonRunModel>> {
    return this.runs.list(pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE), page.after);
  }

  @Roles(...READERS)
  @Query(() => ComparisonRunModel, {
    description: 'One run: poll its status and progress; read its groups and benchmarks.',
  })
  comparisonRun(
    @Args('id', { type: () => ID }) id: string,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ComparisonRunModel> {
    const run = this.runs.get(id);
    // The run's groups and benchmarks go out with its served check, served once it has passed.
    this.results.readAhead(id, {
      groups: selectedArguments(info, 'groups'),
      benchmarks: selectedArguments(info, 'benchmarks'),
    });
    return run;
  }

  @Roles(...READERS)
  @Subscription(() => ComparisonRunModel, {
    description:
      'One run as it changes (graphql-ws): its current state at once, then every change of status, progress or message as the worker reports it; ends after COMPLETED, FAILED or CANCELLED. Authenticate with connection params `{ authorization: "Bearer <access token>" }` or `{ "x-api-key": "<key>" }`.',
    resolve: (run: ComparisonRunModel) => run,
  })
  comparisonRunUpdated(
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AsyncIterableIterator<ComparisonRunModel>> {
    return this.updates.subscribe(id);
  }

  @Roles(...ANALYSTS)
  @Query(() => [EarlyWarningModel], {
    description:
      "Schools causing concern on a measure: in their group's worst quartile in at least `required` of the last `periods` periods, or with the latest value worse than `floor`. From the given run, or the latest completed run that benchmarked the measure.",
  })
  earlyWarnings(
    @Args('measure') measure: string,
    @Args('runId', { type: () => ID, nullable: true }) runId: string | null,
    @Args('floor', { type: () => Float, nullable: true }) floor: number | null,
    @Args('periods', { type: () => Int, defaultValue: 3 }) periods: number,
    @Args('required', { type: () => Int, defaultValue: 2 }) required: number,
  ): Promise<EarlyWarningModel[]> {
    return this.results.earlyWarnings({ measure, runId, floor, periods, required });
  }

  @ResolveField(() => [SchoolGroupModel], {
    description: "Each target school's similar schools (one school's with `urn`).",
  })
  groups(
    @Parent() run: ComparisonRunModel,
    @Args('urn', { type: () => Int, nullable: true }) urn: number | null,
  ): Promise<SchoolGroupModel[]> {
    return this.results.groupsOfRun(run, urn);
  }

  @ResolveField(() => [BenchmarkModel])
  benchmarks(
    @Parent() run: ComparisonRunModel,
    @Args('urn', { type: () => Int, nullable: true }) urn: number | null,
    @Args('measures', { type: () => [String], nullable: true }) measures: string[] | null,
    @Args('period', { type: () => String, nullable: true }) period: string | null,
  ): Promise<BenchmarkModel[]> {
    return this.results.benchmarksOfRun(run, urn, { measures, period });
  }
}
