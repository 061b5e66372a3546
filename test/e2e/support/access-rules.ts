import type { INestApplication } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';

import { ACCESS_RULE, type AccessRule } from '@schoolbench/tenancy';

const RESOLVER_TYPE = 'graphql:resolver_type';
const RESOLVER_NAME = 'graphql:resolver_name';

export interface RootOperation {
  type: 'Query' | 'Mutation' | 'Subscription';
  field: string;
  rule: AccessRule | undefined;
}

/** Every root GraphQL operation the app's resolvers declare, with its access rule. */
export function rootOperations(app: INestApplication): RootOperation[] {
  const scanner = new MetadataScanner();
  const seen = new Set<object>();
  const operations: RootOperation[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method] as object;
        const type = Reflect.getMetadata(RESOLVER_TYPE, handler) as
          RootOperation['type'] | undefined;
        if (type !== 'Query' && type !== 'Mutation' && type !== 'Subscription') continue;
        const field = (Reflect.getMetadata(RESOLVER_NAME, handler) as string | undefined) ?? method;
        const rule =
          (Reflect.getMetadata(ACCESS_RULE, handler) as AccessRule | undefined) ??
          (Reflect.getMetadata(ACCESS_RULE, prototype.constructor) as AccessRule | undefined);
        operations.push({ type, field, rule });
      }
    }
  }
  return operations;
}
