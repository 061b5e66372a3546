import { AdministrationController } from './administration.controller';
import { AnalystsController } from './analysts.controller';
import { ClubsController } from './clubs.controller';
import { ComparisonsController } from './comparisons.controller';
import { DatasetsPagesController } from './datasets.controller';
import { HomeController } from './home.controller';
import { OperatorsController } from './operators.controller';
import { ProtocolsController } from './protocols.controller';
import { SchoolsController } from './schools.controller';
import { SignInController } from './sign-in.controller';
import { TargetsPagesController } from './targets.controller';
import { TenantExportPagesController } from './tenant-export.controller';

// AnalystsController before SchoolsController: GET /schools (the list) before /schools/:urn.
export const WEB_CONTROLLERS = [
  SignInController,
  HomeController,
  AnalystsController,
  SchoolsController,
  ComparisonsController,
  ClubsController,
  ProtocolsController,
  DatasetsPagesController,
  AdministrationController,
  OperatorsController,
  TargetsPagesController,
  TenantExportPagesController,
];
