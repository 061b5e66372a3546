export {
  GOVERNMENT_OFFICE_REGIONS,
  governmentOfficeRegionCode,
  isGovernmentOfficeRegion,
  parseGovernmentOfficeRegion,
  regionOfSubRegion,
  type GovernmentOfficeRegion,
  type GovernmentOfficeRegionCode,
} from './lib/regions/government-office-region';
export {
  BUILT_IN_LOCAL_AUTHORITIES,
  LA_REGISTER_VERSION,
  type LocalAuthority,
} from './lib/register/built-in-local-authorities';
export {
  LaRegister,
  LaRegisterError,
  parseLaCode,
  type LaCodeInput,
} from './lib/register/la-register';
export {
  parseLaRegionCodes,
  readLaRegionCodesFile,
  type LaRegionCode,
} from './lib/codes-file/la-region-codes-file';
