import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG, type AppConfig } from '@schoolbench/config';

import { AccessGuard } from './access/access.guard';
import { ApiKeyStrategy } from './access/api-key.strategy';
import { JwtStrategy } from './access/jwt.strategy';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeysResolver } from './api-keys/api-keys.resolver';
import { ApiKeysService } from './api-keys/api-keys.service';
import { CredentialsResolver } from './credentials/credentials.resolver';
import { CredentialsService } from './credentials/credentials.service';
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
        secret: config.JWT_SECRET,
        signOptions: { algorithm: 'HS256', issuer: 'schoolbench' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'schoolbench' },
      }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => [
        { name: 'login', ttl: 60_000, limit: config.LOGIN_ATTEMPTS_PER_MINUTE },
      ],
    }),
  ],
  providers: [
    UsersService,
    CredentialsService,
    ApiKeysService,
    JwtStrategy,
    ApiKeyStrategy,
    UsersResolver,
    CredentialsResolver,
    ApiKeysResolver,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, ApiKeysService, CredentialsService],
})
export class IdentityModule {}
