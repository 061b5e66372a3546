import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { EntityManager } from 'typeorm';

import { Principal } from './principal';
import type { RequestScope } from './request-scope';

// Symbol keys: nestjs-cls reads a string key as a dotted path into nested objects (which child
// contexts share), splitting it on every get and set (dozens per request); a symbol is one
// property lookup. Child contexts copy them like any other key.
const PRINCIPAL = Symbol('schoolbenchPrincipal');
const TRANSACTION = Symbol('schoolbenchTransaction');
const REQUEST_ID = Symbol('schoolbenchRequestId');
const ONE_SNAPSHOT = Symbol('schoolbenchOneSnapshot');
const REQUEST_SCOPE = Symbol('schoolbenchRequestScope');

export class TenantContextMissingError extends Error {
  constructor() {
    super('No authenticated principal in context: tenant-scoped work needs one');
  }
}

export interface ActiveTransaction {
  tenantId: string;
  manager: EntityManager;
}

/**
 * The one place that holds who is acting, per request or job (AsyncLocalStorage via nestjs-cls).
 * Set by the auth guard or the job runner; read by everything else.
 */
@Injectable()
export class TenantContext {
  constructor(private readonly cls: ClsService) {}

  /** The acting principal; throws when none was set. */
  principal(): Principal {
    const principal = this.cls.isActive()
      ? this.cls.get<Principal | undefined>(PRINCIPAL)
      : undefined;
    if (!principal) throw new TenantContextMissingError();
    return principal;
  }

  principalOrNull(): Principal | null {
    return this.cls.isActive() ? (this.cls.get<Principal | undefined>(PRINCIPAL) ?? null) : null;
  }

  setPrincipal(principal: Principal): void {
    this.cls.set(PRINCIPAL, principal);
  }

  /**
   * Marks the request as a read (a GraphQL query): its tenant transactions see one snapshot
   * (REPEATABLE READ), so that what it reads under a grant, and the access-log entry written for
   * that read, agree even while a protocol is revoked or signed meanwhile.
   */
  useOneSnapshot(): void {
    this.cls.set(ONE_SNAPSHOT, true);
  }

  oneSnapshot(): boolean {
    return this.cls.isActive() && this.cls.get<boolean | undefined>(ONE_SNAPSHOT) === true;
  }

  /** The request's shared transaction (see RequestScope), while the request lasts. */
  requestScope(): RequestScope | undefined {
    const scope = this.cls.isActive()
      ? this.cls.get<RequestScope | undefined>(REQUEST_SCOPE)
      : undefined;
    return scope?.active ? scope : undefined;
  }

  /** Set at the start of a request, in its own context (not a child), by what will end it. */
  setRequestScope(scope: RequestScope): boolean {
    if (!this.cls.isActive()) return false;
    this.cls.set(REQUEST_SCOPE, scope);
    return true;
  }

  requestId(): string | undefined {
    return this.cls.isActive() ? this.cls.get<string | undefined>(REQUEST_ID) : undefined;
  }

  setRequestId(id: string): void {
    this.cls.set(REQUEST_ID, id);
  }

  activeTransaction(): ActiveTransaction | undefined {
    return this.cls.isActive()
      ? this.cls.get<ActiveTransaction | undefined>(TRANSACTION)
      : undefined;
  }

  /**
   * Runs `open` in a child context (inheriting the principal) where `tx` is the active
   * transaction. A child, so that sibling resolvers running in parallel never join each other's
   * transaction.
   */
  withTransaction<T>(open: (bind: (tx: ActiveTransaction) => void) => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => open((tx) => this.cls.set(TRANSACTION, tx)));
  }

  /**
   * Runs `fn` in a child context with no active transaction (nor the request's shared one), so
   * that tenant work inside it opens a transaction of its own even when called from within another.
   */
  withoutTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set(TRANSACTION, undefined);
      this.cls.set(REQUEST_SCOPE, undefined);
      return fn();
    });
  }

  /** Runs `fn` in a fresh context acting as `principal` (jobs, CLI, sign-in). */
  runAs<T>(principal: Principal, fn: () => Promise<T>): Promise<T> {
    return this.cls.run(async () => {
      this.setPrincipal(principal);
      return fn();
    });
  }
}
