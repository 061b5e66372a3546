import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { PageArgs } from '@schoolbench/graphql';

export enum SchoolSource {
  OWN = 'OWN',
  REFERENCE = 'REFERENCE',
  PARTNERS = 'PARTNERS',
}
registerEnumType(SchoolSource, {
  name: 'SchoolSource',
  description:
    "OWN: your authority's register. REFERENCE: DfE's published schools of England. PARTNERS: partner authorities' schools shared with yours by an active named protocol.",
});

@ObjectType('School')
export class SchoolModel {
  @Field(() => Int, { description: 'Unique Reference Number.' })
  urn!: number;

  @Field(() => Int, { nullable: true, description: 'LA code and establishment number.' })
  laestab!: number | null;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  phase!: string | null;

  @Field(() => String, { nullable: true })
  type!: string | null;

  @Field(() => String, { nullable: true })
  laCode!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO date.' })
  openedOn!: string | null;

  @Field(() => String, { nullable: true, description: 'ISO date.' })
  closedOn!: string | null;
}

@ArgsType()
export class SchoolsArgs extends PageArgs {
  @Field(() => SchoolSource, { defaultValue: SchoolSource.OWN })
  source!: SchoolSource;

  @Field(() => String, { nullable: true })
  phase?: string;

  @Field(() => String, { nullable: true })
  laCode?: string;

  @Field(() => String, { nullable: true, description: 'Case-insensitive part of the name.' })
  search?: string;
}

@InputType()
export class CreateSchoolInput {
  @Field(() => Int)
  urn!: number;

  @Field(() => Int, { nullable: true })
  laestab?: number | null;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  phase?: string | null;

  @Field(() => String, { nullable: true })
  type?: string | null;

  @Field(() => String, { nullable: true })
  laCode?: string | null;

  @Field(() => String, { nullable: true })
  openedOn?: string | null;

  @Field(() => String, { nullable: true })
  closedOn?: string | null;
}
