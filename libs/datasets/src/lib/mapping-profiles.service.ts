import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { parseMappingProfile } from '@schoolbench/data-format-core';
import { badInput, notFound } from '@schoolbench/graphql';
import { TenantContext, TenantTransactions } from '@schoolbench/tenancy';

import { MappingProfileModel } from './models/dataset.model';

interface ProfileRow {
  id: string;
  name: string;
  definition: unknown;
  created_at: Date;
}

const toModel = (r: ProfileRow): MappingProfileModel => ({
  id: r.id,
  name: r.name,
  definition: JSON.stringify(r.definition),
  createdAt: r.created_at,
});

/** A tenant's mapping profiles: how to read a CSV no built-in adapter knows. */
@Injectable()
export class MappingProfilesService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  list(): Promise<MappingProfileModel[]> {
    return this.tx.run(async (m) =>
      (
        await m.query<ProfileRow[]>(
          'select * from mapping_profiles where tenant_id = $1 order by name',
          [this.context.principal().tenantId],
        )
      ).map(toModel),
    );
  }

  async create(name: string, definition: string): Promise<MappingProfileModel> {
    const principal = this.context.principal();
    if (!name.trim() || name.length > 200) {
      throw badInput('Give the profile a name of 1 to 200 characters', { field: 'name' });
    }
    let json: unknown;
    try {
      json = JSON.parse(definition);
    } catch (error) {
      throw badInput(`The definition is not JSON: ${(error as Error).message}`, {
        field: 'definition',
      });
    }
    const parsed = parseMappingProfile(json, undefined, name);
    if (!parsed.profile) {
      throw badInput(
        `The mapping profile is not valid: ${parsed.problems.map((p) => `${p.column ?? ''} ${p.message}`.trim()).join('; ')}`,
        {
          field: 'definition',
          problems: parsed.problems.map((p) => ({ path: p.column, message: p.message })),
        },
      );
    }
    return this.tx.run(async (m) => {
      const taken = await m.query<unknown[]>(
        'select 1 from mapping_profiles where tenant_id = $1 and name = $2',
        [principal.tenantId, name.trim()],
      );
      if (taken.length)
        throw badInput(`A mapping profile named "${name.trim()}" exists already`, {
          field: 'name',
        });
      const [row] = await m.query<ProfileRow[]>(
        `insert into mapping_profiles (tenant_id, id, name, definition, created_by)
         values ($1, $2, $3, $4, $5) returning *`,
        [principal.tenantId, randomUUID(), name.trim(), JSON.stringify(json), principal.userId],
      );
      return toModel(row);
    });
  }

  async remove(id: string): Promise<boolean> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      // TypeORM answers a DELETE … RETURNING with `[rows, affected]`: count the rows, not the pair.
      const [rows] = await m.query<[unknown[], number]>(
        'delete from mapping_profiles where tenant_id = $1 and id::text = $2 returning id',
        [principal.tenantId, id],
      );
      if (!rows.length) throw notFound(`Mapping profile ${id}`);
      return true;
    });
  }
}
