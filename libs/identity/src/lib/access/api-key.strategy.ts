import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';

import type { Principal } from '@schoolbench/tenancy';

import { ApiKeysService } from '../api-keys/api-keys.service';

/** `X-API-Key: sbk_…` for analysts' scripts. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super({ header: 'X-API-Key', prefix: '' }, false);
  }

  async validate(key: string): Promise<Principal | false> {
    return (await this.apiKeys.authenticate(key)) ?? false;
  }
}
