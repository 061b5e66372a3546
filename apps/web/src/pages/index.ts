import { ComparisonsController } from './comparisons.controller';
import { HomeController } from './home.controller';
import { SchoolsController } from './schools.controller';
import { SignInController } from './sign-in.controller';

export const WEB_CONTROLLERS = [
  SignInController,
  HomeController,
  SchoolsController,
  ComparisonsController,
];
