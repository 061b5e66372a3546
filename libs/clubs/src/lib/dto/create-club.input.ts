import { Field, ID, InputType } from '@nestjs/graphql';

@InputType()
export class CreateClubInput {
  @Field({ description: 'Unique within your authority, e.g. "Secondary Headteachers’ Club".' })
  name!: string;

  @Field(() => ID, { description: 'A proposed or active protocol your authority is party to.' })
  protocolId!: string;

  @Field(() => String, { nullable: true, description: 'e.g. Primary, Secondary.' })
  phase?: string | null;
}
