import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { badInput, forbidden, notFound } from '@schoolbench/graphql';
import { TenantContext, TenantTransactions, type Principal, type Role } from '@schoolbench/tenancy';

import { newSecret, sameHash, sha256 } from '../credentials/secret-token';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyModel, CreatedApiKeyModel } from './api-key.model';

const KEY_ROLES: Record<string, readonly Role[]> = {
  la_admin: ['la_admin', 'analyst'],
  analyst: ['analyst'],
};

function toModel(key: ApiKeyEntity): ApiKeyModel {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

/** Splits `sbk_<id>_<secret>` into its stored prefix and secret. */
function parseKey(key: string): { prefix: string; secret: string } | null {
  const match = /^(sbk_[a-z0-9]{12})_([A-Za-z0-9_-]{40,})$/.exec(key.trim());
  return match ? { prefix: match[1], secret: match[2] } : null;
}

/** Hashed, scoped, revocable API keys for analysts' scripts. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
  ) {}

  async create(name: string, role?: Role | null): Promise<CreatedApiKeyModel> {
    const principal = this.context.principal();
    const allowed = KEY_ROLES[principal.role] ?? [];
    const keyRole = role ?? principal.role;
    if (!allowed.includes(keyRole)) {
      throw forbidden(`A ${principal.role} cannot create an API key with the role ${keyRole}`);
    }
    if (!name.trim() || name.length > 200) {
      throw badInput('Give the key a name of 1 to 200 characters', { field: 'name' });
    }
    const prefix = `sbk_${randomBytes(8).toString('hex').slice(0, 12)}`;
    const secret = newSecret();
    const key = `${prefix}_${secret}`;
    return this.tx.run(async (m) => {
      const entity = m.create(ApiKeyEntity, {
        tenantId: principal.tenantId,
        id: randomUUID(),
        prefix,
        secretHash: sha256(key),
        name: name.trim(),
        role: keyRole,
        createdBy: principal.userId,
        createdAt: new Date(),
        lastUsedAt: null,
        revokedAt: null,
      });
      await m.insert(ApiKeyEntity, entity);
      await m.query('insert into api_key_directory (prefix, tenant_id) values ($1, $2)', [
        prefix,
        principal.tenantId,
      ]);
      return { apiKey: toModel(entity), secret: key };
    });
  }

  /** LA admins see and revoke every key of their authority; analysts only their own. */
  async list(): Promise<ApiKeyModel[]> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const where = principal.role === 'la_admin' ? {} : { createdBy: principal.userId };
      const keys = await m.find(ApiKeyEntity, { where, order: { createdAt: 'DESC' } });
      return keys.map(toModel);
    });
  }

  async revoke(id: string): Promise<ApiKeyModel> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const key = await m.findOneBy(ApiKeyEntity, { tenantId: principal.tenantId, id });
      if (!key || (principal.role !== 'la_admin' && key.createdBy !== principal.userId)) {
        throw notFound(`API key ${id}`);
      }
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await m.update(ApiKeyEntity, { tenantId: key.tenantId, id }, { revokedAt: key.revokedAt });
      }
      return toModel(key);
    });
  }

  /**
   * The principal a presented key stands for, or null when unknown, wrong, revoked or its
   * authority is suspended.
   */
  async authenticate(presented: string): Promise<Principal | null> {
    const parsed = parseKey(presented);
    if (!parsed) return null;
    const [row] = await this.tx.runOutsideTenant((m) =>
      m.query<{ tenant_id: string | null }[]>('select auth_resolve_api_key($1) as tenant_id', [
        parsed.prefix,
      ]),
    );
    const tenantId = row?.tenant_id;
    if (!tenantId) return null;
    return this.tx.inTenant(tenantId, async (m) => {
      const active = await m.query<unknown[]>(
        "select 1 from tenants where id = $1 and status = 'active'",
        [tenantId],
      );
      if (active.length === 0) return null; // a suspended authority's keys stop working
      const key = await m.findOneBy(ApiKeyEntity, { tenantId, prefix: parsed.prefix });
      if (!key || key.revokedAt || !sameHash(key.secretHash, sha256(presented.trim()))) return null;
      await m.update(ApiKeyEntity, { tenantId, id: key.id }, { lastUsedAt: new Date() });
      return {
        tenantId,
        userId: key.createdBy,
        role: key.role,
        schoolUrn: null,
        via: 'api_key',
      } satisfies Principal;
    });
  }
}
