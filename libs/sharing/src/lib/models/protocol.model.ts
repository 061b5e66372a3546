import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export enum ProtocolStatus {
  DRAFT = 'draft',
  PROPOSED = 'proposed',
  ACTIVE = 'active',
  SUSPENDED = 'suspended',
  REVOKED = 'revoked',
  EXPIRED = 'expired',
}
registerEnumType(ProtocolStatus, {
  name: 'ProtocolStatus',
  description:
    'DRAFT → PROPOSED → ACTIVE (once every party has signed) → SUSPENDED | REVOKED | EXPIRED.',
});

export enum DisclosureLevel {
  NAMED = 'named',
  PSEUDONYMISED = 'pseudonymised',
  AGGREGATE = 'aggregate',
}
registerEnumType(DisclosureLevel, {
  name: 'DisclosureLevel',
  description:
    'NAMED: schools identified. PSEUDONYMISED: a stable per-protocol pseudonym instead of URN and name. AGGREGATE: only group statistics over at least minGroupSize schools.',
});

@ObjectType('ProtocolParty')
export class ProtocolPartyModel {
  @Field(() => ID)
  tenantId!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  laCode!: string | null;

  @Field({ description: 'Has this party signed the current version?' })
  signed!: boolean;
}

@ObjectType('ProtocolSignature')
export class ProtocolSignatureModel {
  @Field(() => Int)
  version!: number;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'Who signed, for your own authority’s signatures; other authorities’ users are not shown.',
  })
  userId!: string | null;

  @Field(() => GraphQLISODateTime)
  signedAt!: Date;
}

@ObjectType('ProtocolVersion', { description: 'The terms of one version, as signed.' })
export class ProtocolVersionModel {
  @Field(() => Int)
  version!: number;

  @Field()
  title!: string;

  @Field()
  purpose!: string;

  @Field(() => [ID], { description: 'Party authorities (tenant ids), the owner included.' })
  partyTenantIds!: string[];

  @Field(() => [String], { description: 'Measure categories in scope.' })
  categories!: string[];

  @Field(() => [String], { description: 'Measure codes named in the scope.' })
  scopeMeasures!: string[];

  @Field(() => [String], { description: 'Every measure code the scope resolves to.' })
  measures!: string[];

  @Field({ description: 'First academic year shared, e.g. 2016/17.' })
  periodFrom!: string;

  @Field()
  periodTo!: string;

  @Field(() => [String], { description: 'School phases in scope; empty means all.' })
  phases!: string[];

  @Field(() => DisclosureLevel)
  disclosure!: DisclosureLevel;

  @Field(() => Int)
  minGroupSize!: number;

  @Field(() => Int)
  smallCohortThreshold!: number;

  @Field()
  validFrom!: string;

  @Field()
  validTo!: string;

  @Field(() => [ProtocolSignatureModel])
  signatures!: ProtocolSignatureModel[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType('ProtocolEvent', { description: 'One step of the protocol’s history.' })
export class ProtocolEventModel {
  @Field()
  event!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => ID, { nullable: true })
  actorTenantId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The user, when of your own authority; other authorities’ users are not shown.',
  })
  actorUserId!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}

@ObjectType('ProtocolOptOut')
export class ProtocolOptOutModel {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => Int)
  urn!: number;

  @Field(() => GraphQLISODateTime)
  optedOutAt!: Date;
}

@ObjectType('Protocol', { description: 'A data-sharing agreement the database enforces.' })
export class ProtocolModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  ownerTenantId!: string;

  @Field(() => ProtocolStatus)
  status!: ProtocolStatus;

  @Field(() => Int)
  currentVersion!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The version whose grants are in force (while ACTIVE).',
  })
  versionInForce!: number | null;

  @Field({ description: 'Terms of the current version.' })
  title!: string;

  @Field(() => ProtocolVersionModel, { description: 'The current version.' })
  terms!: ProtocolVersionModel;

  @Field(() => [ProtocolPartyModel])
  parties!: ProtocolPartyModel[];

  @Field(() => [ProtocolVersionModel], { description: 'Every version, oldest first.' })
  versions!: ProtocolVersionModel[];

  @Field(() => [ProtocolEventModel], { description: 'The history, oldest first.' })
  history!: ProtocolEventModel[];

  @Field(() => [ProtocolOptOutModel], {
    description: 'Schools opted out: all of them for the owner, your own for a party.',
  })
  optOuts!: ProtocolOptOutModel[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

@InputType()
export class ProtocolTermsInput {
  @Field()
  title!: string;

  @Field()
  purpose!: string;

  @Field(() => [String], { description: 'LA codes of the partner authorities, e.g. ["815"].' })
  partyLaCodes!: string[];

  @Field(() => [String], { nullable: true, description: 'Measure categories in scope.' })
  categories?: string[];

  @Field(() => [String], { nullable: true, description: 'Measure codes in scope.' })
  measures?: string[];

  @Field({ description: 'First academic year, e.g. 2016/17.' })
  periodFrom!: string;

  @Field({ description: 'Last academic year, e.g. 2018/19.' })
  periodTo!: string;

  @Field(() => [String], { nullable: true, description: 'School phases, e.g. ["secondary"].' })
  phases?: string[];

  @Field(() => DisclosureLevel)
  disclosure!: DisclosureLevel;

  @Field(() => Int, { nullable: true, description: 'Aggregate: at least this many schools (≥ 3).' })
  minGroupSize?: number;

  @Field(() => Int, { nullable: true, description: 'Cohorts below this are served as c.' })
  smallCohortThreshold?: number;

  @Field({ description: 'ISO date.' })
  validFrom!: string;

  @Field({ description: 'ISO date.' })
  validTo!: string;
}

@InputType()
export class AmendProtocolInput extends ProtocolTermsInput {
  @Field(() => ID)
  id!: string;
}
