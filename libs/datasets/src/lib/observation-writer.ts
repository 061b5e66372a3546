import type { EntityManager } from 'typeorm';

import type { Observation, SummaryObservation } from '@schoolbench/data-format-core';
import type { RegisterEntry } from '@schoolbench/schools';
import { upsertRegister } from '@schoolbench/schools';

const BATCH = 5000;

/**
 * Writes an import's records in batches through `unnest` arrays: one round trip per few thousand
 * rows keeps memory flat. One batch is in the database while the next is parsed, so parsing and
 * writing overlap; batches still reach the connection in order, and schools are always sent
 * before the observations that refer to them.
 */
export class ObservationWriter {
  private inFlight: Promise<void> = Promise.resolve();
  private schools = new Map<number, RegisterEntry>();
  private observations: Observation[] = [];
  private areas: SummaryObservation[] = [];
  counts = { schools: 0, observations: 0, areaObservations: 0 };

  constructor(
    private readonly m: EntityManager,
    private readonly tenantId: string,
    private readonly datasetId: string,
  ) {}

  async school(entry: RegisterEntry): Promise<void> {
    this.schools.set(entry.urn, entry);
    if (this.schools.size >= BATCH) await this.flushSchools();
  }

  async observation(o: Observation): Promise<void> {
    this.observations.push(o);
    if (this.observations.length >= BATCH) await this.flushObservations();
  }

  async area(o: SummaryObservation): Promise<void> {
    this.areas.push(o);
    if (this.areas.length >= BATCH) await this.flushAreas();
  }

  async flush(): Promise<void> {
    await this.flushObservations();
    await this.flushAreas();
    await this.inFlight;
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
    await this.submit(() =>
      this.m.query(
        `insert into observations (tenant_id, dataset_id, urn, measure, time_period, time_identifier, breakdown,
                                 value, suppression, numerator, denominator)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::text[],
                                    $8::float8[], $9::text[], $10::float8[], $11::float8[])`,
        [
          this.tenantId,
          this.datasetId,
          rows.map((o) => Number(o.urn)),
          rows.map((o) => o.measure),
          rows.map((o) => Number(o.period.timePeriod)),
          rows.map((o) => o.period.timeIdentifier),
          rows.map((o) => o.breakdown),
          rows.map((o) => o.value),
          rows.map((o) => o.suppression),
          rows.map((o) => o.numerator ?? null),
          rows.map((o) => o.denominator ?? null),
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
                                      time_period, time_identifier, breakdown, value, suppression)
       select $1, $2, * from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[],
                                    $9::text[], $10::float8[], $11::text[])
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
        ],
      ),
    );
    this.counts.areaObservations += rows.length;
  }
}
