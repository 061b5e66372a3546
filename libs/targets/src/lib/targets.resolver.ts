import { Args, Float, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { ComparisonResultsService } from '@schoolbench/comparisons';
import { Roles } from '@schoolbench/tenancy';

import {
  BenchmarkSettingsModel,
  ProposeTargetInput,
  SchoolTargetStatusModel,
  SetTargetInput,
  TargetEventModel,
  TargetImportReportModel,
  TargetRollupModel,
  TargetSuggestionModel,
} from './models/target.model';
import { TargetsService } from './targets.service';

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;
const AUTHORITY = ['la_admin', 'analyst'] as const;

/** Baselines, targets, RAG, the roll-up, suggestions and the authority's thresholds. */
@Resolver()
export class TargetsResolver {
  constructor(
    private readonly targets: TargetsService,
    private readonly comparisons: ComparisonResultsService,
  ) {}

  @Roles(...READERS)
  @Query(() => BenchmarkSettingsModel, {
    description: "Your authority's minimum group size and RAG margins (defaults 5, 2 and 0.1).",
  })
  benchmarkSettings(): Promise<BenchmarkSettingsModel> {
    return this.targets.settings();
  }

  @Roles('la_admin')
  @Mutation(() => BenchmarkSettingsModel, { description: "Change your authority's thresholds." })
  setBenchmarkSettings(
    @Args('minGroupN', { type: () => Int }) minGroupN: number,
    @Args('amberMarginPercent', { type: () => Float }) amberMarginPercent: number,
    @Args('amberMarginScore', { type: () => Float }) amberMarginScore: number,
  ): Promise<BenchmarkSettingsModel> {
    return this.targets.setSettings({ minGroupN, amberMarginPercent, amberMarginScore });
  }

  @Roles(...AUTHORITY)
  @Mutation(() => TargetEventModel, {
    description:
      'Set a target or baseline for one of your schools, or (without urn) for the authority as a whole.',
  })
  setTarget(@Args('input') input: SetTargetInput): Promise<TargetEventModel> {
    return this.targets.set(input);
  }

  @Roles('headteacher')
  @Mutation(() => TargetEventModel, {
    description: 'Propose a target for your own school; an LA admin agrees or returns it.',
  })
  proposeTarget(@Args('input') input: ProposeTargetInput): Promise<TargetEventModel> {
    return this.targets.propose(input);
  }

  @Roles('la_admin')
  @Mutation(() => TargetEventModel, {
    description: 'Agree a headteacher’s proposal: it becomes the target.',
  })
  agreeTarget(
    @Args('proposalId', { type: () => ID }) proposalId: string,
  ): Promise<TargetEventModel> {
    return this.targets.answer(proposalId, 'agreed');
  }

  @Roles('la_admin')
  @Mutation(() => TargetEventModel, {
    description: 'Return a headteacher’s proposal with the reason; the school may propose again.',
  })
  returnTarget(
    @Args('proposalId', { type: () => ID }) proposalId: string,
    @Args('reason') reason: string,
  ): Promise<TargetEventModel> {
    return this.targets.answer(proposalId, 'returned', reason);
  }

  @Roles(...AUTHORITY)
  @Mutation(() => TargetImportReportModel, {
    description:
      'Set school targets from a CSV (URN, measure, period, target; breakdown optional): all or nothing, with a validation report.',
  })
  importTargets(
    @Args('csv') csv: string,
    @Args('fileName', { type: () => String, nullable: true }) fileName: string | null,
  ): Promise<TargetImportReportModel> {
    return this.targets.importCsv(csv, fileName);
  }

  @Roles(...READERS)
  @Query(() => [TargetEventModel], {
    description: 'A target’s history, oldest first (without urn: the authority’s).',
  })
  targetHistory(
    @Args('measure') measure: string,
    @Args('period') period: string,
    @Args('urn', { type: () => Int, nullable: true }) urn: number | null,
    @Args('breakdown', { type: () => String, nullable: true }) breakdown: string | null,
  ): Promise<TargetEventModel[]> {
    return this.targets.history({ urn, measure, period, breakdown });
  }

  @Roles(...READERS)
  @Query(() => [SchoolTargetStatusModel], {
    description:
      'Schools with a target or a pending proposal in the period, with RAG and position in their group; a headteacher or governor sees their own school.',
  })
  targetStatuses(
    @Args('period') period: string,
    @Args('measure', { type: () => String, nullable: true }) measure: string | null,
    @Args('urn', { type: () => Int, nullable: true }) urn: number | null,
  ): Promise<SchoolTargetStatusModel[]> {
    return this.targets.statuses({ period, measure, urn });
  }

  @Roles(...AUTHORITY)
  @Query(() => [TargetRollupModel], {
    description: 'Counts of schools by RAG per measure, with the authority-wide figures.',
  })
  targetRollup(
    @Args('period') period: string,
    @Args('measure', { type: () => String, nullable: true }) measure: string | null,
  ): Promise<TargetRollupModel[]> {
    return this.targets.rollup({ period, measure });
  }

  @Roles(...READERS)
  @Query(() => TargetSuggestionModel, {
    nullable: true,
    description:
      'Target suggestions from the school’s similar-school group (its latest comparison benchmarking the measure); null without one.',
  })
  async targetSuggestion(
    @Args('urn', { type: () => Int }) urn: number,
    @Args('measure') measure: string,
    @Args('period') period: string,
  ): Promise<TargetSuggestionModel | null> {
    const found = await this.comparisons.estimatesOf(urn, measure, period);
    if (!found) return null;
    const e = found.estimates;
    return {
      urn,
      measure,
      period,
      runId: found.runId,
      groupUrns: found.members,
      groupN: e.groupN,
      insufficientGroup: e.insufficientGroup,
      p50: e.p50 ?? null,
      p80: e.p80 ?? null,
      p95: e.p95 ?? null,
    };
  }
}
