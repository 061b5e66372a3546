export { ApiKeyEntity } from './lib/api-keys/api-key.entity';
export { RefreshTokenEntity } from './lib/credentials/refresh-token.entity';
export { MeModel } from './lib/credentials/me.model';
export { IdentityModule } from './lib/identity.module';
export { UserEntity } from './lib/users/user.entity';
export { RoleEnum, UserModel } from './lib/users/user.model';
export { UserEventModel, type UserEventKind } from './lib/users/user-events';
export { ChangeUserRoleInput, InviteUserInput } from './lib/users/user-input';
export { UsersService, toUserModel, type Invitation } from './lib/users/users.service';
export { InvitationModel } from './lib/credentials/auth-payload.model';
export { IdentityJobsModule } from './lib/identity-jobs.module';
export {
  RefreshTokenPurge,
  type PurgeResult,
} from './lib/credentials/jobs/purge-refresh-tokens.job';
export { ApiKeyModel, CreatedApiKeyModel } from './lib/api-keys/api-key.model';
export { ApiKeysService } from './lib/api-keys/api-keys.service';
export { CredentialsService } from './lib/credentials/credentials.service';
export { LoginThrottleGuard } from './lib/credentials/login-throttle.guard';
