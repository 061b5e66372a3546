import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import {
  ConnectionType,
  PageArgs,
  pageSize,
  RequestLoaders,
  type Connection,
} from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { ClubDashboardService } from './club-dashboard.service';
import { ClubsService } from './clubs.service';
import { CreateClubInput } from './dto/create-club.input';
import { ClubDashboardModel, ClubMemberModel, ClubModel } from './models/club.model';

const ClubConnection = ConnectionType(ClubModel, 'ClubConnection');

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;

@Resolver(() => ClubModel)
export class ClubsResolver {
  constructor(
    private readonly service: ClubsService,
    private readonly dashboards: ClubDashboardService,
    private readonly loaders: RequestLoaders,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles(...READERS)
  @Query(() => ClubConnection, {
    description:
      'Clubs your authority runs or is party to; for a headteacher or governor, those their school belongs to.',
    complexity: ({ args, childComplexity }) => ((args.first as number) ?? 20) * childComplexity,
  })
  clubs(@Args() page: PageArgs): Promise<Connection<ClubModel>> {
    return this.service.list(pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE), page.after);
  }

  @Roles(...READERS)
  @Query(() => ClubModel)
  club(@Args('id', { type: () => ID }) id: string): Promise<ClubModel> {
    return this.service.get(id);
  }

  @Roles('la_admin')
  @Mutation(() => ClubModel, {
    description:
      'Start a club bound to a proposed or active protocol your authority is party to; its parties’ schools may join.',
  })
  createClub(@Args('input') input: CreateClubInput): Promise<ClubModel> {
    return this.service.create(input);
  }

  @Roles('la_admin')
  @Mutation(() => ClubModel, {
    description:
      'Coordinator only: add a school by URN. Its authority must be a party to the club’s protocol.',
  })
  addClubMember(
    @Args('clubId', { type: () => ID }) clubId: string,
    @Args('urn', { type: () => Int }) urn: number,
  ): Promise<ClubModel> {
    return this.service.addMember(clubId, urn);
  }

  @Roles('la_admin')
  @Mutation(() => ClubModel, { description: 'Coordinator only: take a school out of the club.' })
  removeClubMember(
    @Args('clubId', { type: () => ID }) clubId: string,
    @Args('urn', { type: () => Int }) urn: number,
  ): Promise<ClubModel> {
    return this.service.removeMember(clubId, urn);
  }

  @Roles('la_admin', 'headteacher')
  @Mutation(() => Boolean, {
    description: 'A member school leaves: its headteacher, or an LA admin of its authority.',
  })
  leaveClub(
    @Args('clubId', { type: () => ID }) clubId: string,
    @Args('urn', { type: () => Int }) urn: number,
  ): Promise<boolean> {
    return this.service.leave(clubId, urn);
  }

  @ResolveField(() => [ClubMemberModel], { complexity: 20 })
  members(@Parent() club: ClubModel): Promise<ClubMemberModel[]> {
    return this.loaders
      .get<ClubModel, ClubMemberModel[]>('club.members', (clubs) => this.service.membersOf(clubs))
      .load(club);
  }

  @ResolveField(() => ClubDashboardModel, {
    description:
      'Every member on the chosen measures for one academic year, at the protocol’s disclosure level, with quartiles.',
    complexity: 100,
  })
  dashboard(
    @Parent() club: ClubModel,
    @Args('measures', { type: () => [String] }) measures: string[],
    @Args('period', { description: 'e.g. 201819 or 2018/19.' }) period: string,
  ): Promise<ClubDashboardModel> {
    return this.dashboards.dashboard(club, measures, period);
  }
}
