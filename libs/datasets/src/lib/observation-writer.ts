import type { EntityManager } from 'typeorm';

import type { Observation, SummaryObservation } from '@schoolbench/data-format-core';
import { citusInsertFromLocalTable, databaseDistribution } from '@schoolbench/database';
import type { RegisterEntry } from '@schoolbench/schools';
import { upsertRegister } from '@schoolbench/schools';

const BATCH = 5000;

/**
 * Writes an import's records in batches through `unnest` arrays: one round trip per few thousand
 * rows keeps memory flat. One batch is in the database while the next is parsed, so parsing and
 * writing overlap; batches reach the connection in order.
 *
 * Observations are staged: batches go to a temporary table of the transaction (no keys, policies
 * or indexes to maintain, no WAL), and `flush` moves them into `observations` with one
 * INSERT … SELECT, where row-level security, the foreign keys and the indexes do their work once
 * every school of the file is in the register. Measured on the import benchmark, this took the
 * database's share from ~26 s to ~15 s. The temporary table is private to the connection, and
 * dropped at commit or rollback.
 */
export class ObservationWriter {
  private inFlight: Promise<void> = Promise.resolve();
  private schools = new Map<number, RegisterEntry>();
  private observations: Observation[] = [];
  private areas: SummaryObservation[] = [];
  private staging = false;
  counts = { schools: 0, observations: 0, areaObservations: 0 };

  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
    private readonly datasetId: string,
  ) {}

  // The record methods return a promise only when a batch is due, so that the caller awaits
  // (one microtask per record adds up over a national file) only then.

  school(entry: RegisterEntry): Promise<void> | undefined {
    this.schools.set(entry.urn, entry);
    return this.schools.size >= BATCH ? this.flushSchools() : undefined;
  }

  observation(o: Observation): Promise<void> | undefined {
    this.observations.push(o);
    return this.observations.length >= BATCH ? this.flushObservations() : undefined;
  }

  area(o: SummaryObservation): Promise<void> | undefined {
    this.areas.push(o);
    return this.areas.length >= BATCH ? this.flushAreas() : undefined;
  }

  async flush(): Promise<void> {
    await this.flushObservations();
    await this.flushAreas();
    await this.inFlight;
    if (!this.staging) return;
    // PostgreSQL plans a foreign-key check once per connection and keeps the plan. One planned
    // while `schools` was small and never analysed (a new tenant, a fresh database) walks the
    // tenant's name index and filters by URN, reading every school for every row: the benchmark
    // hung for minutes on the census that way. Dropping cached plans here has the checks planned
    // afresh at the register's current size. (The app role cannot ANALYZE; this it may do.)
    await this.m.query('discard plans');
    const move = `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown,
                                 value, suppression, numerator, denominator, source_code)
       select $1, $2, urn, measure, time_period, time_identifier, breakdown, value, suppression, numerator, denominator,
              source_code
       from import_staged_observations`;
    await this.m.query(
      databaseDistribution() === 'citus' ? citusInsertFromLocalTable(move) : move,
      [this.tenantId, this.datasetId],
    );
    await this.m.query('drop table import_staged_observations');
    this.staging = false;
  }

  /** Waits for the batch in the database (surfacing its error), then sends the next one. */
  private async submit(work: () => Promise<unknown>): Promise<void> {
    await this.inFlight;
    const sent = work().then(() => undefined);
    // Observed here so a failure is not reported as unhandled; it is rethrown by the next await.
    sent.catch(() => undefined);
    this.inFlight = sent;
  }

  private async flushSchools(): Promise<void> {
    if (this.schools.size === 0) return;
    const entries = [...this.schools.values()];
    this.schools = new Map();
    await this.submit(async () => {
      this.counts.schools += await upsertRegister(this.m, this.tenantId, entries);
    });
  }

  private async flushObservations(): Promise<void> {
    await this.flushSchools();
    if (this.observations.length === 0) return;
    const rows = this.observations;
    this.observations = [];
    if (!this.staging) {
      this.staging = true;
      await this.submit(() =>
        this.m.query(
          `create temporary table import_staged_observations (
             urn integer, measure text, time_period integer, time_identifier text, breakdown text,
             value double precision, suppression text, numerator double precision, denominator double precision,
             source_code text
           ) on commit drop`,
        ),
      );
    }
    await this.submit(() =>
      this.m.query(
        `insert into import_staged_observations
         select * from unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[],
                              $6::float8[], $7::text[], $8::float8[], $9::float8[], $10::text[])`,
        [
          rows.map((o) => Number(o.urn)),
          rows.map((o) => o.measure),
          rows.map((o) => Number(o.period.timePeriod)),
          rows.map((o) => o.period.timeIdentifier),
          rows.map((o) => o.breakdown),
          rows.map((o) => o.value),
          rows.map((o) => o.suppression),
          rows.map((o) => o.numerator ?? null),
          rows.map((o) => o.denominator ?? null),
          // Only a suppressed cell keeps the code it was published as (SUPP, NE, LOWCOV, …).
          rows.map((o) => (o.suppression === null ? null : (o.sourceCode ?? null))),
        ],
      ),
    );
    this.counts.observations += rows.length;
  }

  private async flushAreas(): Promise<void> {
    if (this.areas.length === 0) return;
    const rows = this.areas;
    this.areas = [];
    await this.submit(() =>
      this.m.query(
        `insert into area_observations (tenant_id, dataset_id, area_level, area_code, area_variant, measure,
                                      time_period, time_identifier, breakdown, value, suppression, source_code)
       select $1, $2, * from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
                                    $9::text[], $10::float8[], $11::text[], $12::text[])
       on conflict do nothing`,
        [
          this.tenantId,
          this.datasetId,
          rows.map((o) => o.area.level),
          rows.map((o) => o.area.code),
          rows.map((o) => o.area.variant),
          rows.map((o) => o.measure),
          rows.map((o) => Number(o.period.timePeriod)),
          rows.map((o) => o.period.timeIdentifier),
          rows.map((o) => o.breakdown),
          rows.map((o) => o.value),
          rows.map((o) => o.suppression),
          rows.map((o) => (o.suppression === null ? null : (o.sourceCode ?? null))),
        ],
      ),
    );
    this.counts.areaObservations += rows.length;
  }
}
