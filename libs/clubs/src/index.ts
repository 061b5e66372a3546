export { ClubsModule } from './lib/clubs.module';
export { ClubsService } from './lib/clubs.service';
export { ClubDashboardModel, ClubMemberModel, ClubModel } from './lib/models/club.model';
export {
  HEADLINE_BREAKDOWN,
  identifiesMember,
  parseClubPeriod,
  quartileOf,
  withheldReason,
  type Disclosure,
} from './lib/club-rules';
export { ClubDashboardService } from './lib/club-dashboard.service';
