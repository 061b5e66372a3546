import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { badInput } from '@schoolbench/graphql';
import { UsersService } from '@schoolbench/identity';
import { TenantTransactions } from '@schoolbench/tenancy';

import { TenantEntity, TenantKind } from './tenant.entity';
import { OnboardedTenantModel, OnboardTenantInput, TenantModel } from './tenant.model';

export function toTenantModel(t: TenantEntity): TenantModel {
  return {
    id: t.id,
    kind: t.kind,
    laCode: t.laCode,
    name: t.name,
    status: t.status,
    createdAt: t.createdAt,
  };
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly users: UsersService,
  ) {}

  /** A new partner authority and the invitation of its first admin, in one transaction. */
  async onboard(input: OnboardTenantInput): Promise<OnboardedTenantModel> {
    const laCode = input.laCode.trim();
    if (!/^\d{3}$/.test(laCode)) {
      throw badInput(`LA code "${input.laCode}" is not a three-digit DfE code`, {
        field: 'laCode',
      });
    }
    const name = input.name.trim();
    if (!name || name.length > 200) {
      throw badInput('The authority name must have 1 to 200 characters', { field: 'name' });
    }
    const existing = await this.findByLaCode(laCode);
    if (existing)
      throw badInput(`LA ${laCode} is already a tenant (${existing.name})`, { field: 'laCode' });
    const id = randomUUID();
    return this.tx.inTenant(id, async (m) => {
      const tenant = await this.insert(m, { id, kind: 'authority', laCode, name });
      const adminInvitation = await this.users.inviteWith(m, id, {
        email: input.adminEmail,
        role: 'la_admin',
      });
      return { tenant: toTenantModel(tenant), adminInvitation };
    });
  }

  /** Creates a tenant of any kind (CLI and demo). Idempotent on LA code or kind. */
  async ensure(kind: TenantKind, name: string, laCode: string | null = null): Promise<TenantModel> {
    return this.tx.runOutsideTenant(async (m) => {
      const found = await m.findOneBy(TenantEntity, laCode ? { laCode } : { kind });
      if (found) return toTenantModel(found);
      return toTenantModel(await this.insert(m, { id: randomUUID(), kind, laCode, name }));
    });
  }

  list(): Promise<TenantModel[]> {
    return this.tx.runOutsideTenant(async (m) =>
      (await m.find(TenantEntity, { order: { kind: 'ASC', laCode: 'ASC' } })).map(toTenantModel),
    );
  }

  async get(id: string): Promise<TenantModel | null> {
    const t = await this.tx.runOutsideTenant((m) => m.findOneBy(TenantEntity, { id }));
    return t ? toTenantModel(t) : null;
  }

  async findByLaCode(laCode: string): Promise<TenantModel | null> {
    const t = await this.tx.runOutsideTenant((m) => m.findOneBy(TenantEntity, { laCode }));
    return t ? toTenantModel(t) : null;
  }

  private async insert(
    m: EntityManager,
    t: { id: string; kind: TenantKind; laCode: string | null; name: string },
  ): Promise<TenantEntity> {
    const entity = m.create(TenantEntity, { ...t, status: 'active', createdAt: new Date() });
    await m.insert(TenantEntity, entity);
    return entity;
  }
}
