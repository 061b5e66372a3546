export { SchoolEntity } from './lib/school.entity';
export { CreateSchoolInput, SchoolModel, SchoolSource } from './lib/school.model';
export { SchoolsModule } from './lib/schools.module';
export {
  SchoolsService,
  toSchoolModel,
  upsertRegister,
  type RegisterEntry,
} from './lib/schools.service';
