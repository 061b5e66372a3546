import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AccessLogEntry', {
  description: 'One cross-tenant read of your authority’s data, under a protocol.',
})
export class AccessLogEntryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field(() => ID)
  readerTenantId!: string;

  @Field()
  readerName!: string;

  @Field(() => String, { nullable: true })
  readerLaCode!: string | null;

  @Field(() => ID, { nullable: true, description: 'Null for a queued job.' })
  readerUserId!: string | null;

  @Field(() => ID)
  protocolId!: string;

  @Field(() => Int)
  protocolVersion!: number;

  @Field({ description: 'The GraphQL operation or job that read the data.' })
  operation!: string;

  @Field(() => [Int], { description: 'Schools whose data was read.' })
  urns!: number[];

  @Field(() => [String], { description: 'Measures read (empty for register details only).' })
  measures!: string[];

  @Field(() => Int)
  rowCount!: number;
}

@InputType()
export class AccessLogFilter {
  @Field(() => ID, { nullable: true })
  protocolId?: string;

  @Field({ nullable: true, description: 'Only reads by this authority.' })
  readerLaCode?: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  since?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  until?: Date;
}
