import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';
import { ConnectionType, PageArgs, pageSize, type Connection } from '@schoolbench/graphql';
import { Roles } from '@schoolbench/tenancy';

import { AccessLog } from './access-log.service';
import { AccessLogEntryModel, AccessLogFilter } from './models/access-log.model';
import {
  AmendProtocolInput,
  ProtocolModel,
  ProtocolStatus,
  ProtocolTermsInput,
} from './models/protocol.model';
import { ProtocolsService } from './protocols.service';

const AccessLogConnection = ConnectionType(AccessLogEntryModel, 'AccessLogConnection');

const READERS = ['la_admin', 'analyst', 'headteacher', 'governor'] as const;

@Resolver(() => ProtocolModel)
export class ProtocolsResolver {
  constructor(
    private readonly service: ProtocolsService,
    private readonly log: AccessLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Roles(...READERS)
  @Query(() => [ProtocolModel], {
    description: 'Protocols your authority owns or is party to.',
  })
  protocols(
    @Args('status', { type: () => ProtocolStatus, nullable: true }) status?: ProtocolStatus,
  ): Promise<ProtocolModel[]> {
    return this.service.list(status);
  }

  @Roles(...READERS)
  @Query(() => ProtocolModel)
  protocol(@Args('id', { type: () => ID }) id: string): Promise<ProtocolModel> {
    return this.service.get(id);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, {
    description: 'A new protocol, as a draft owned by your authority.',
  })
  createProtocol(@Args('input') input: ProtocolTermsInput): Promise<ProtocolModel> {
    return this.service.create(input);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, { description: 'Send a draft to every party for signature.' })
  proposeProtocol(@Args('id', { type: () => ID }) id: string): Promise<ProtocolModel> {
    return this.service.propose(id);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, {
    description:
      'Sign the current version for your authority. It becomes ACTIVE when every party has signed.',
  })
  signProtocol(
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int, nullable: true, description: 'The version you read.' })
    version?: number,
  ): Promise<ProtocolModel> {
    return this.service.sign(id, version);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, {
    description:
      'New terms as a new version that every party signs again; a version in force stays in force until then.',
  })
  amendProtocol(@Args('input') input: AmendProtocolInput): Promise<ProtocolModel> {
    const { id, ...terms } = input;
    return this.service.amend(id, terms);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, { description: 'Stop sharing until an amendment is signed.' })
  suspendProtocol(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { nullable: true }) reason?: string,
  ): Promise<ProtocolModel> {
    return this.service.suspend(id, reason);
  }

  @Roles('la_admin')
  @Mutation(() => ProtocolModel, {
    description: 'End the protocol for good, from the next request.',
  })
  revokeProtocol(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { nullable: true }) reason?: string,
  ): Promise<ProtocolModel> {
    return this.service.revoke(id, reason);
  }

  @Roles('la_admin', 'headteacher')
  @Mutation(() => ProtocolModel, {
    description: 'Withdraw one of your schools: its data is never shared under this protocol.',
  })
  optOutOfProtocol(
    @Args('protocolId', { type: () => ID }) protocolId: string,
    @Args('urn', { type: () => Int }) urn: number,
  ): Promise<ProtocolModel> {
    return this.service.optOut(protocolId, urn);
  }

  @Roles('la_admin')
  @Query(() => AccessLogConnection, {
    description: 'Who read your authority’s data, under which protocol. Newest first.',
  })
  accessLog(
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: AccessLogFilter,
  ): Promise<Connection<AccessLogEntryModel>> {
    return this.log.list(
      filter ?? {},
      pageSize(page.first, this.config.GRAPHQL_MAX_PAGE_SIZE),
      page.after,
    );
  }
}
