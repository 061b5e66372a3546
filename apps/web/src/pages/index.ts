import { AdministrationController } from './administration.controller';
import { AnalystsController } from './analysts.controller';
import { ClubManagementController } from './club-management.controller';
import { ClubsController } from './clubs.controller';
import { ComparisonsController } from './comparisons.controller';
import { DatasetsPagesController } from './datasets.controller';
import { HomeController } from './home.controller';
import { OperatorsController } from './operators.controller';
import { OptOutsController } from './opt-outs.controller';
import { ProtocolsController } from './protocols.controller';
import { SchoolsController } from './schools.controller';
import { SignInController } from './sign-in.controller';
import { TargetsPagesController } from './targets.controller';
import { TenantExportPagesController } from './tenant-export.controller';
import { UserRolesController } from './user-roles.controller';

// AnalystsController before SchoolsController: GET /schools (the list) before /schools/:urn;
// ClubManagementController before ClubsController: GET /clubs/new before /clubs/:id.
export const WEB_CONTROLLERS = [
  SignInController,
  HomeController,
  AnalystsController,
  SchoolsController,
  ComparisonsController,
  ClubManagementController,
  ClubsController,
  ProtocolsController,
  DatasetsPagesController,
  AdministrationController,
  OperatorsController,
  TargetsPagesController,
  TenantExportPagesController,
  UserRolesController,
  OptOutsController,
];
