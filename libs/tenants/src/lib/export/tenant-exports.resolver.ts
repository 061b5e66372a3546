import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';

import { Roles } from '@schoolbench/tenancy';

import { TenantExportModel, toTenantExportModel } from './tenant-export.model';
import { TenantExports } from './tenant-exports.service';

@Resolver(() => TenantExportModel)
export class TenantExportsResolver {
  constructor(private readonly exports: TenantExports) {}

  @Roles('la_admin')
  @Mutation(() => TenantExportModel, {
    description:
      'Queue an export of everything your authority owns (one archive with a manifest). Returns the export already queued or building, if any.',
  })
  async requestTenantExport(): Promise<TenantExportModel> {
    return toTenantExportModel(await this.exports.request('api'));
  }

  @Roles('la_admin')
  @Query(() => TenantExportModel, {
    description: "One of your authority's exports: status, progress, manifest, download path.",
  })
  async tenantExport(@Args('id', { type: () => ID }) id: string): Promise<TenantExportModel> {
    return toTenantExportModel(await this.exports.get(id));
  }

  @Roles('la_admin')
  @Query(() => [TenantExportModel], {
    description: "Your authority's 20 most recent exports, newest first.",
    complexity: ({ childComplexity }) => 20 * childComplexity,
  })
  async tenantExports(): Promise<TenantExportModel[]> {
    return (await this.exports.list()).map(toTenantExportModel);
  }
}
