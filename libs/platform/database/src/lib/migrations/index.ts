import { Foundation1763820000000 } from './1763820000000-foundation';
import { Datasets1763830000000 } from './1763830000000-datasets';
import { Comparisons1763840000000 } from './1763840000000-comparisons';
import { Sharing1763850000000 } from './1763850000000-sharing';
import { ComparisonResultWrites1763880000000 } from './1763880000000-comparison-result-writes';
import { DatasetUploadProfile1763890000000 } from './1763890000000-dataset-upload-profile';
import { LoginPerAuthority1764100000000 } from './1764100000000-login-per-authority';
import { SharingDisclosure1764200000000 } from './1764200000000-sharing-disclosure';
import { ObservationSourceCode1764600000000 } from './1764600000000-observation-source-code';
import { Targets1764700000000 } from './1764700000000-targets';
import { Judgements1764700000001 } from './1764700000001-judgements';
import { TenantExit1764800000000 } from './1764800000000-tenant-exit';
import { Retention1764800001000 } from './1764800001000-retention';
import { RequestPathIndexes1764900000000 } from './1764900000000-request-path-indexes';
import { TenantExports1765000000000 } from './1765000000000-tenant-exports';
import { BenchmarkConfidenceLimits1765100000000 } from './1765100000000-benchmark-confidence-limits';
import { SharedRecords1765200000000 } from './1765200000000-shared-records';
import { SharingPlansPerParty1765500000000 } from './1765500000000-sharing-plans-per-party';
import { SchoolResultsIndexes1765540000000 } from './1765540000000-school-results-indexes';
import { UserEvents1765560000000 } from './1765560000000-user-events';
import { WithheldCellsBySchool1765560000001 } from './1765560000001-withheld-cells-by-school';
import { ProtocolOwnerSteps1765600000000 } from './1765600000000-protocol-owner-steps';
import { ClubReachCellsSetWise1765700000000 } from './1765700000000-club-reach-cells-set-wise';
import { RetentionTallyWithoutOuterJoin1765700000100 } from './1765700000100-retention-tally-without-outer-join';
import { TenantExitDeleteInOneStep1765700000200 } from './1765700000200-tenant-exit-delete-in-one-step';
import { RunRequesterClearedByApp1765700000300 } from './1765700000300-run-requester-cleared-by-app';
import { RequestPathFunctionsInPlpgsql1765700000400 } from './1765700000400-request-path-functions-in-plpgsql';
import { ReferencePoliciesEvaluatedOnce1765700000500 } from './1765700000500-reference-policies-evaluated-once';

/** Every migration, in order. Listed explicitly so bundles and tests never depend on globbing. */
export const migrations = [
  Foundation1763820000000,
  Datasets1763830000000,
  Comparisons1763840000000,
  Sharing1763850000000,
  ComparisonResultWrites1763880000000,
  DatasetUploadProfile1763890000000,
  LoginPerAuthority1764100000000,
  SharingDisclosure1764200000000,
  ObservationSourceCode1764600000000,
  Targets1764700000000,
  Judgements1764700000001,
  TenantExit1764800000000,
  Retention1764800001000,
  RequestPathIndexes1764900000000,
  TenantExports1765000000000,
  BenchmarkConfidenceLimits1765100000000,
  SharedRecords1765200000000,
  SharingPlansPerParty1765500000000,
  SchoolResultsIndexes1765540000000,
  UserEvents1765560000000,
  WithheldCellsBySchool1765560000001,
  ProtocolOwnerSteps1765600000000,
  ClubReachCellsSetWise1765700000000,
  RetentionTallyWithoutOuterJoin1765700000100,
  TenantExitDeleteInOneStep1765700000200,
  RunRequesterClearedByApp1765700000300,
  RequestPathFunctionsInPlpgsql1765700000400,
  ReferencePoliciesEvaluatedOnce1765700000500,
];
