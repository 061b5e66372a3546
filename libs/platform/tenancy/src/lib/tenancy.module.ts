import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';

import { TenantContext } from './tenant-context';
import { TenantTransactions } from './tenant-transactions';

@Global()
@Module({
  imports: [ClsModule.forRoot({ global: true, middleware: { mount: true } })],
  providers: [TenantContext, TenantTransactions],
  exports: [TenantContext, TenantTransactions],
})
export class TenancyModule {}
