export {
  appConfigSchema,
  loadAppConfig,
  redactUrl,
  signingSecret,
  type AppConfig,
} from './lib/app-config';
export { APP_CONFIG, AppConfigModule } from './lib/config.module';
export {
  exitUnlessServicesReachable,
  probesFor,
  unreachableServices,
  type ServiceProbe,
} from './lib/service-reachability';
export {
  exitUnlessSupportedRuntime,
  SUPPORTED_NODE_MAJOR,
  unsupportedRuntime,
} from './lib/supported-runtime';
