import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { defaultComparisonMethods } from '@schoolbench/comparisons-core';
import {
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  type Connection,
} from '@schoolbench/graphql';
import { JOB_RETENTION, QUEUES, type JobPayloads } from '@schoolbench/queue';
import {
  preparedStatement,
  SCHOOL_ROLES,
  TenantContext,
  TenantTransactions,
} from '@schoolbench/tenancy';

import { ComparisonData } from './comparison-data';
import {
  contextMeasures,
  normaliseRequest,
  outcomePeriods,
  resultKey,
  type ComparisonRequest,
} from './comparison-request';
import {
  asUserError,
  runId,
  runNotFound,
  staleRun,
  toRunModel,
  updateReturning,
  type ComparisonRunRow,
} from './comparison-run-row';
import type { ComparisonRunModel } from './models/comparison-run.model';

export const COMPARISON_JOB = 'comparison.run';

/** Protocol events after which partners' data stops being shared. */
const STOPPING_EVENTS: readonly string[] = ['revoked', 'suspended', 'expired'];

/** A run whose results are no longer served, and the protocol events that stopped them. */
export interface RunStaleness {
  runId: string;
  finishedAt: Date | null;
  events: {
    protocol: string;
    owner: string;
    event: string;
    at: Date;
    reason: string | null;
  }[];
}

/** Retries with exponential backoff (1 s, 2 s); the run id is the job id, so a run queues once. */
export const COMPARISON_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  ...JOB_RETENTION,
} as const;

/** Headteachers and governors see the runs that cover their school: $2 is its URN. */
const VISIBLE_TO = `($2::int is null or (r.parameters->>'allSchools')::boolean or (r.parameters->>'targetUrn')::int = $2)`;

/** A run the principal may see, with whether a grant its dataset versions need has lapsed. */
const SERVED_RUN = preparedStatement(
  `select r.*, app_run_lost_grant(r.tenant_id, r.dataset_versions) as lost_grant
   from comparison_runs r where r.tenant_id = $1 and r.id = $3 and ${VISIBLE_TO}`,
);

/**
 * Comparison runs as the signed-in user sees them: requesting (or reusing) one, listing, reading
 * and cancelling. The work itself happens in the worker (`ComparisonRunner`).
 */
@Injectable()
export class ComparisonRunsService {
  private readonly methods = defaultComparisonMethods();

  constructor(
    private readonly tx: TenantTransactions,
    private readonly context: TenantContext,
    @InjectQueue(QUEUES.comparisons)
    private readonly queue: Queue<JobPayloads['comparison.run']>,
  ) {}

  /**
   * Returns at once: a completed, non-stale run with the same result key (same method, version,
   * parameters and dataset versions), an identical run already in flight, or a new queued run.
   */
  async request(request: ComparisonRequest): Promise<ComparisonRunModel> {
    const principal = this.context.principal();
    let normalised: ReturnType<typeof normaliseRequest>;
    try {
      normalised = normaliseRequest(request, this.methods);
    } catch (error) {
      throw asUserError(error);
    }
    const { method, parameters } = normalised;
    if (SCHOOL_ROLES.includes(principal.role) && parameters.targetUrn !== principal.schoolUrn) {
      throw forbidden(`A ${principal.role} can request comparisons for their own school only`);
    }
    const { run, created } = await this.tx.run(async (m) => {
      if (parameters.targetUrn !== null) {
        const [school] = await m.query<{ phase: string | null }[]>(
          'select phase from schools where tenant_id = $1 and urn = $2',
          [principal.tenantId, parameters.targetUrn],
        );
        if (!school) throw notFound(`School ${parameters.targetUrn} in your register`);
      }
      const data = new ComparisonData(m, principal.tenantId);
      const tenants = await data.tenants(parameters.population);
      const datasets = await data.currentDatasets(
        tenants,
        [...contextMeasures(method, parameters), ...parameters.outcomeMeasures],
        outcomePeriods(parameters.period),
      );
      const key = resultKey(method, parameters, datasets);
      const [done] = await m.query<ComparisonRunRow[]>(
        `select * from comparison_runs
         where tenant_id = $1 and result_key = $2 and status = 'completed' and not stale
         order by finished_at desc limit 1`,
        [principal.tenantId, key],
      );
      if (done) return { run: done, created: false };
      const [inserted] = await m.query<ComparisonRunRow[]>(
        `insert into comparison_runs
           (tenant_id, id, requested_by, method, method_version, parameters, dataset_versions,
            status, message, result_key)
         values ($1, $2, $3, $4, $5, $6, $7, 'queued', 'Waiting for a worker', $8)
         on conflict (tenant_id, result_key) where status in ('queued', 'running') do nothing
         returning *`,
        [
          principal.tenantId,
          randomUUID(),
          principal.via === 'password' || principal.via === 'api_key' ? principal.userId : null,
          method.id,
          method.version,
          JSON.stringify(parameters),
          JSON.stringify(datasets),
          key,
        ],
      );
      if (inserted) return { run: inserted, created: true };
      const [inFlight] = await m.query<ComparisonRunRow[]>(
        `select * from comparison_runs
         where tenant_id = $1 and result_key = $2 and status in ('queued', 'running')`,
        [principal.tenantId, key],
      );
      return { run: inFlight, created: false };
    });
    if (created) await this.enqueue(run);
    return toRunModel(run);
  }

  async list(first: number, after?: string): Promise<Connection<ComparisonRunModel>> {
    const principal = this.context.principal();
    const visible = VISIBLE_TO;
    return this.tx.run(async (m) => {
      const [{ count }] = await m.query<{ count: number }[]>(
        `select count(*)::int as count from comparison_runs r
         where r.tenant_id = $1 and not r.stale and ${visible}`,
        [principal.tenantId, this.schoolScope()],
      );
      const cursor = after ? decodeCursor(after, 2) : null;
      const rows = await m.query<ComparisonRunRow[]>(
        `select * from comparison_runs r
         where r.tenant_id = $1 and not r.stale and ${visible}
           and ($3::timestamptz is null or (r.created_at, r.id) < ($3::timestamptz, $4::uuid))
         order by r.created_at desc, r.id desc limit $5`,
        [
          principal.tenantId,
          this.schoolScope(),
          cursor?.[0] ?? null,
          cursor?.[1] ?? null,
          first + 1,
        ],
      );
      const last = rows[Math.min(rows.length, first) - 1];
      return {
        nodes: rows.slice(0, first).map(toRunModel),
        totalCount: count,
        pageInfo: {
          hasNextPage: rows.length > first,
          endCursor: last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
        },
      };
    });
  }

  async get(id: string): Promise<ComparisonRunModel> {
    return toRunModel(await this.tx.run((m) => this.servedRun(m, id)));
  }

  /**
   * Cancels a queued or running run. A waiting job is removed from the queue; a running one sees
   * the status between phases (and under lock before writing) and stops without writing.
   */
  async cancel(id: string): Promise<ComparisonRunModel> {
    const principal = this.context.principal();
    const run = await this.tx.run(async (m) => {
      const current = await this.servedRun(m, id);
      if (SCHOOL_ROLES.includes(principal.role) && current.requested_by !== principal.userId) {
        throw forbidden('A headteacher can cancel only the runs they requested');
      }
      const [cancelled] = await updateReturning<ComparisonRunRow>(
        m,
        `update comparison_runs set status = 'cancelled', message = 'Cancelled', finished_at = now()
         where tenant_id = $1 and id = $2 and status in ('queued', 'running') returning *`,
        [principal.tenantId, current.id],
      );
      return cancelled ?? current;
    });
    if (run.status === 'cancelled') {
      const job = await this.queue.getJob(run.id);
      const state = await job?.getState();
      // An active job is locked by its worker; it notices the cancellation itself.
      if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
        await job.remove().catch(() => undefined);
      }
    }
    return toRunModel(run);
  }

  /**
   * A run the principal may see and that may be served (not stale). Checked once per request:
   * within a request's shared transaction (one snapshot) the answer cannot change between the
   * resolvers that ask.
   */
  servedRun(m: EntityManager, id: string): Promise<ComparisonRunRow> {
    const scope = this.context.requestScope();
    return scope
      ? scope.once(m, `servedRun:${id}`, () => this.checkServed(m, id))
      : this.checkServed(m, id);
  }

  private async checkServed(m: EntityManager, id: string): Promise<ComparisonRunRow> {
    const principal = this.context.principal();
    const [run] = await m.query<(ComparisonRunRow & { lost_grant: boolean })[]>(SERVED_RUN, [
      principal.tenantId,
      this.schoolScope(),
      runId(id),
    ]);
    if (!run) throw runNotFound(id);
    // Marked stale, or built on a grant that has lapsed since (expiry acts before its job runs).
    if (run.stale || run.lost_grant) throw staleRun(id);
    return run;
  }

  /**
   * Why a run's results are no longer served (SPEC journey 5): null when it is served (or not
   * visible: then `get` answers 404), else the protocol events that stopped them.
   */
  async staleness(id: string): Promise<RunStaleness | null> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const [run] = await m.query<(ComparisonRunRow & { lost_grant: boolean })[]>(
        `select r.*, app_run_lost_grant(r.tenant_id, r.dataset_versions) as lost_grant
         from comparison_runs r where r.tenant_id = $1 and r.id = $3 and ${this.visibleTo()}`,
        [principal.tenantId, this.schoolScope(), runId(id)],
      );
      return run && (run.stale || run.lost_grant) ? this.stoppedBy(m, run) : null;
    });
  }

  /**
   * The school's latest completed run that grouped it, served or not, in one statement: the
   * school pages show its date and data versions, or, when it is stale, why its results are
   * gone (a second statement, only then). Null when no run the principal may see grouped it.
   */
  async latestOfSchool(
    urn: number,
  ): Promise<{ run: ComparisonRunModel; stale: RunStaleness | null } | null> {
    const principal = this.context.principal();
    return this.tx.run(async (m) => {
      const [run] = await m.query<(ComparisonRunRow & { lost_grant: boolean })[]>(
        `select r.*, app_run_lost_grant(r.tenant_id, r.dataset_versions) as lost_grant
         from comparison_runs r
         where r.tenant_id = $1 and ${this.visibleTo()} and r.status = 'completed'
           and exists (select 1 from comparison_groups g
                       where g.tenant_id = r.tenant_id and g.urn = $3 and g.run_id = r.id
                         and g.rank = 1)
         order by r.finished_at desc, r.id limit 1`,
        [principal.tenantId, this.schoolScope(), urn],
      );
      if (!run) return null;
      return {
        run: toRunModel(run),
        stale: run.stale || run.lost_grant ? await this.stoppedBy(m, run) : null,
      };
    });
  }

  /**
   * The events of the protocols between this authority and the authorities whose data the run
   * read (revoked, suspended, expired) since it was requested.
   */
  private async stoppedBy(m: EntityManager, run: ComparisonRunRow): Promise<RunStaleness> {
    const tenantId = this.context.principal().tenantId;
    const others = [
      ...new Set(run.dataset_versions.map((d) => d.tenantId).filter((t) => t !== tenantId)),
    ];
    const events = await m.query<
      { title: string; owner: string; event: string; at: Date; reason: string | null }[]
    >(
      `select v.title, t.name as owner, e.event, e.at, e.detail->>'reason' as reason
       from protocol_events e
       join protocols p on p.tenant_id = e.tenant_id and p.id = e.protocol_id
       join protocol_versions v on v.tenant_id = p.tenant_id and v.protocol_id = p.id
                               and v.version = e.version
       join tenants t on t.id = p.tenant_id
       where (p.tenant_id = any($1::uuid[]) or (p.tenant_id = $2 and p.parties && $1::uuid[]))
         and e.event = any($3::text[]) and e.at >= $4
       order by e.at`,
      [others, tenantId, STOPPING_EVENTS, run.created_at],
    );
    return {
      runId: run.id,
      finishedAt: run.finished_at,
      events: events.map((e) => ({
        protocol: e.title,
        owner: e.owner,
        event: e.event,
        at: e.at,
        reason: e.reason,
      })),
    };
  }

  /** Headteachers and governors see the runs that cover their school: $2 is its URN. */
  private visibleTo(): string {
    return `($2::int is null or (r.parameters->>'allSchools')::boolean or (r.parameters->>'targetUrn')::int = $2)`;
  }

  /** The URN that limits what a school role sees; null for the authority's roles. */
  private schoolScope(): number | null {
    const principal = this.context.principal();
    return SCHOOL_ROLES.includes(principal.role) ? principal.schoolUrn : null;
  }

  private async enqueue(run: ComparisonRunRow): Promise<void> {
    try {
      await this.queue.add(
        COMPARISON_JOB,
        { tenantId: run.tenant_id, runId: run.id },
        { ...COMPARISON_JOB_OPTIONS, jobId: run.id },
      );
    } catch (error) {
      await this.tx.run((m) =>
        m.query(
          `update comparison_runs set status = 'failed', error = $3, finished_at = now()
           where tenant_id = $1 and id = $2`,
          [run.tenant_id, run.id, 'The run could not be queued; request it again'],
        ),
      );
      throw error;
    }
  }
}
