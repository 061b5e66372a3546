import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, signingSecret, type AppConfig } from '@schoolbench/config';
import { RateCounters, RateCountersModule } from '@schoolbench/queue';

import { AccessGuard } from './access/access.guard';
import { ApiKeyStrategy } from './access/api-key.strategy';
import { JwtStrategy } from './access/jwt.strategy';
import { TenantRequestLimit } from './access/tenant-request-limit';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeysResolver } from './api-keys/api-keys.resolver';
import { ApiKeysService } from './api-keys/api-keys.service';
import { CredentialsResolver } from './credentials/credentials.resolver';
import { CredentialsService } from './credentials/credentials.service';
import { LOGIN_THROTTLERS, trackAccount, trackAddress } from './credentials/login-throttle.guard';
import { RefreshTokenEntity } from './credentials/refresh-token.entity';
import { UserEntity } from './users/user.entity';
import { UsersResolver } from './users/users.resolver';
import { UsersService } from './users/users.service';

/** Users, sign-in, tokens and API keys; installs the deny-by-default access guard. */
@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity, RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // Read when a token is signed or checked: operator commands that load this module but
        // never touch a token run without JWT_SECRET; the API checks it at start (createApiApp).
        secretOrKeyProvider: () => signingSecret(config),
        signOptions: { algorithm: 'HS256', issuer: 'schoolbench' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'schoolbench' },
      }),
    }),
    RateCountersModule,
    ThrottlerModule.forRootAsync({
      imports: [RateCountersModule],
      inject: [APP_CONFIG, RateCounters],
      useFactory: (config: AppConfig, counters: RateCounters) => ({
        storage: counters.throttlerStorage(),
        throttlers: [
          {
            name: LOGIN_THROTTLERS.account,
            ttl: 60_000,
            limit: config.LOGIN_ATTEMPTS_PER_MINUTE,
            getTracker: trackAccount,
          },
          {
            name: LOGIN_THROTTLERS.address,
            ttl: 60_000,
            limit:
              config.LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE ?? 5 * config.LOGIN_ATTEMPTS_PER_MINUTE,
            getTracker: trackAddress,
          },
        ],
      }),
    }),
  ],
  providers: [
    UsersService,
    CredentialsService,
    ApiKeysService,
    JwtStrategy,
    TenantRequestLimit,
    ApiKeyStrategy,
    UsersResolver,
    CredentialsResolver,
    ApiKeysResolver,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, ApiKeysService, CredentialsService],
})
export class IdentityModule {}
