import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

import type { Disclosure } from '../club-rules';

@ObjectType('ClubCoordinator', { description: 'The authority that runs the club.' })
export class ClubCoordinatorModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  laCode!: string | null;
}

@ObjectType('Club', {
  description:
    'A named group of schools across authorities, run by one authority and bound to a data-sharing protocol.',
})
export class ClubModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'The phase its member schools are in.' })
  phase!: string | null;

  @Field(() => ID, { description: 'The protocol that governs what members see of each other.' })
  protocolId!: string;

  @Field({ description: 'The protocol’s status: partners’ data is shown only while `active`.' })
  protocolStatus!: string;

  @Field(() => String, {
    nullable: true,
    description: '`named`, `pseudonymised` or `aggregate`: how members see partners’ schools.',
  })
  disclosure!: Disclosure | null;

  @Field(() => ClubCoordinatorModel)
  coordinator!: ClubCoordinatorModel;

  @Field({ description: 'Your authority runs this club (and manages its members).' })
  isCoordinator!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  // Not in the schema: what the nested resolvers need to read members and the dashboard.
  protocolOwnerId!: string;
  /** The disclosure of the version in force; null unless the protocol is active. */
  disclosureInForce!: Disclosure | null;
  versionInForce!: number | null;
  currentVersion!: number;
  parties!: string[];
}

@ObjectType('ClubMember', {
  description:
    'A member school. URN and name are shown as the club’s protocol allows: always for your own authority’s schools (and to the coordinating authority), for partners’ schools only under a `named` protocol.',
})
export class ClubMemberModel {
  @Field(() => Int, { nullable: true })
  urn!: number | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Reserved for the per-protocol pseudonym; the member list does not carry it yet.',
  })
  pseudonym!: string | null;

  @Field(() => String, { nullable: true, description: 'The member’s authority (DfE LA code).' })
  laCode!: string | null;

  @Field({ description: 'A school of your own authority.' })
  isOwn!: boolean;

  @Field({
    description: 'Your own school (for headteachers and governors), or one of your authority’s.',
  })
  isViewer!: boolean;

  @Field(() => GraphQLISODateTime)
  addedAt!: Date;
}

@ObjectType('ClubDashboardValue')
export class ClubDashboardValueModel {
  @Field()
  measure!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'EES symbol when there is no value: `c` for a small cohort or a suppressed value.',
  })
  suppression!: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      '1 at or below the lower quartile, 2 up to the median, 3 up to the upper quartile, 4 above it (by value, whatever the polarity).',
  })
  quartile!: number | null;
}

@ObjectType('ClubDashboardSchool', {
  description: 'One member school on the dashboard, identified as the protocol allows.',
})
export class ClubDashboardSchoolModel {
  @Field(() => Int, { nullable: true })
  urn!: number | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Under a `pseudonymised` protocol.' })
  pseudonym!: string | null;

  @Field(() => String, { nullable: true })
  laCode!: string | null;

  @Field()
  isOwn!: boolean;

  @Field({ description: 'The viewer’s own school: highlight it.' })
  isViewer!: boolean;

  @Field(() => [ClubDashboardValueModel])
  values!: ClubDashboardValueModel[];
}

@ObjectType('ClubMeasureStatistics', {
  description:
    'Quartiles over the member schools with a value (linear interpolation), shown only when enough partner schools take part.',
})
export class ClubMeasureStatisticsModel {
  @Field()
  measure!: string;

  @Field({ description: 'Within the protocol’s measures and periods.' })
  inScope!: boolean;

  @Field(() => Int, { description: 'Member schools with a value.' })
  n!: number;

  @Field(() => Int, { description: 'Of them, partners’ schools.' })
  partnerN!: number;

  @Field(() => Int, { description: 'Member values withheld (suppressed or small cohort).' })
  withheld!: number;

  @Field(() => Int, { nullable: true, description: 'The protocol’s minimum group size k.' })
  minGroupSize!: number | null;

  @Field(() => Float, { nullable: true })
  q1!: number | null;

  @Field(() => Float, { nullable: true })
  median!: number | null;

  @Field(() => Float, { nullable: true })
  q3!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the quartiles are not shown.' })
  withheldReason!: string | null;
}

@ObjectType('ClubDashboard')
export class ClubDashboardModel {
  @Field({ description: 'EES time period, e.g. 201819.' })
  period!: string;

  @Field(() => [String])
  measures!: string[];

  @Field(() => String, { nullable: true })
  disclosure!: Disclosure | null;

  @Field({ description: 'Partners’ data is included (the protocol is in force).' })
  sharing!: boolean;

  @Field(() => [ClubDashboardSchoolModel], {
    description:
      'Your own schools first. Under `aggregate` disclosure partners’ schools never appear: only statistics.',
  })
  schools!: ClubDashboardSchoolModel[];

  @Field(() => [ClubMeasureStatisticsModel])
  statistics!: ClubMeasureStatisticsModel[];
}
