import { SetMetadata } from '@nestjs/common';

import type { Role } from './principal';

export const ACCESS_RULE = 'schoolbench:access-rule';

export type AccessRule = { public: true } | { public: false; roles: readonly Role[] };

/** Only these roles may call the operation. Every resolver and controller declares one rule. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_RULE, { public: false, roles } satisfies AccessRule);

/** Anyone may call it, signed in or not (sign-in itself, health checks). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_RULE, { public: true } satisfies AccessRule);
