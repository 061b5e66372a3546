export { SharingModule } from './lib/sharing.module';
export { AccessLogModule } from './lib/access-log.module';
export { SharingJobsModule } from './lib/sharing-jobs.module';
export { AccessLog, type PartnerRead, type ProtocolRead } from './lib/access-log.service';
export { ProtocolsService } from './lib/protocols.service';
export { DisclosureLevel, ProtocolModel, ProtocolStatus } from './lib/models/protocol.model';
export { AccessLogEntryModel } from './lib/models/access-log.model';
