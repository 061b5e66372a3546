import { createHash } from 'node:crypto';

import {
  ComparisonInputError,
  periodYear,
  type ComparisonMethod,
  type ComparisonMethodRegistry,
  type GroupingOptions,
} from '@schoolbench/comparisons-core';
import { MEASURE_CATALOGUE } from '@schoolbench/data-format-core';

import { contextFeature, contextFeatures, PRIOR_ATTAINMENT_FEATURE } from './context-features';

export type PopulationScope = 'OWN' | 'OWN_AND_REFERENCE';

/** What a caller asks for, before validation. */
export interface ComparisonRequest {
  readonly target: { readonly urn?: number | null; readonly allSchools?: boolean | null };
  readonly phase: string;
  readonly period: string;
  readonly method?: string | null;
  readonly k?: number | null;
  readonly outcomeMeasures: readonly string[];
  readonly population?: PopulationScope | null;
  readonly features?: readonly string[] | null;
  readonly weights?: readonly { readonly feature: string; readonly weight: number }[] | null;
}

/** A request validated and written out in full: what a run records and its result key hashes. */
export interface ComparisonParameters {
  readonly targetUrn: number | null;
  readonly allSchools: boolean;
  readonly phase: string;
  /** EES time_period of the context (and the latest outcome period), e.g. "201819". */
  readonly period: string;
  readonly k: number;
  readonly outcomeMeasures: readonly string[];
  readonly population: PopulationScope;
  /** Null: the method's default features, plus prior attainment when every school has it. */
  readonly features: readonly string[] | null;
  readonly weights: Readonly<Record<string, number>> | null;
}

export const DEFAULT_METHOD = 'context-knn-v1';
/** Storage per run grows with k; no method in the registry asks for more. */
export const MAX_K = 100;
export const MAX_OUTCOME_MEASURES = 10;
/** Outcomes are benchmarked over the run's period and the years before it (SPEC §8 trend). */
export const OUTCOME_YEARS = 3;

const PHASES = new Set(MEASURE_CATALOGUE.measures.flatMap((m) => m.phases));

/** Validates a request; every problem is a `ComparisonInputError` whose message names it. */
export function normaliseRequest(
  request: ComparisonRequest,
  registry: ComparisonMethodRegistry,
): { method: ComparisonMethod; parameters: ComparisonParameters } {
  const { urn, allSchools } = request.target;
  if ((urn == null) === !allSchools) {
    throw new ComparisonInputError(
      'Give the target as either one school (urn) or allSchools: true',
      {
        field: 'target',
      },
    );
  }
  const phase = request.phase.trim().toLowerCase();
  if (!PHASES.has(phase)) {
    throw new ComparisonInputError(
      `Unknown phase "${request.phase}"; phases are ${[...PHASES].join(', ')}`,
      { field: 'phase' },
    );
  }
  const period = checkPeriod(request.period);
  const method = registry.get(request.method ?? DEFAULT_METHOD);
  const k = request.k ?? method.defaultK;
  const maxK = Math.min(method.maxK ?? MAX_K, MAX_K);
  if (!Number.isInteger(k) || k < 1 || k > maxK) {
    throw new ComparisonInputError(`k must be a whole number from 1 to ${maxK} for ${method.id}`, {
      field: 'k',
    });
  }
  const outcomeMeasures = [...new Set(request.outcomeMeasures.map((m) => m.trim()))];
  if (outcomeMeasures.length === 0 || outcomeMeasures.length > MAX_OUTCOME_MEASURES) {
    throw new ComparisonInputError(
      `Ask for 1 to ${MAX_OUTCOME_MEASURES} outcome measures; got ${outcomeMeasures.length}`,
      { field: 'outcomeMeasures' },
    );
  }
  for (const code of outcomeMeasures) {
    if (!MEASURE_CATALOGUE.measure(code)) {
      throw new ComparisonInputError(`"${code}" is not a measure of the catalogue`, {
        field: 'outcomeMeasures',
      });
    }
  }
  const features = request.features?.length ? [...request.features] : null;
  for (const code of features ?? []) contextFeature(phase, code);
  let weights: Record<string, number> | null = null;
  if (request.weights?.length) {
    weights = {};
    for (const { feature, weight } of request.weights) {
      if (feature in weights)
        throw new ComparisonInputError(`A weight is given twice for ${feature}`);
      weights[feature] = weight;
    }
  }
  // The method rejects options it does not use (fbit-pupil takes no features or weights).
  method.requirements(groupingOptions({ k, features, weights }));
  return {
    method,
    parameters: {
      targetUrn: urn ?? null,
      allSchools: !!allSchools,
      phase,
      period,
      k,
      outcomeMeasures,
      population: request.population ?? 'OWN_AND_REFERENCE',
      features,
      weights,
    },
  };
}

export function groupingOptions(
  p: Pick<ComparisonParameters, 'k' | 'features' | 'weights'>,
): GroupingOptions {
  return {
    k: p.k,
    ...(p.features ? { features: p.features } : {}),
    ...(p.weights ? { weights: p.weights } : {}),
  };
}

function checkPeriod(text: string): string {
  const period = text.trim();
  const match = /^(\d{4})(\d{2})$/.exec(period);
  if (!match || (Number(match[1]) + 1) % 100 !== Number(match[2])) {
    throw new ComparisonInputError(`Period "${text}" is not an EES academic year such as 201819`, {
      field: 'period',
    });
  }
  return period;
}

/** "201819" and the years before it, oldest first: the outcome periods a run reads. */
export function outcomePeriods(period: string, years = OUTCOME_YEARS): string[] {
  const last = periodYear(period);
  return Array.from({ length: years }, (_, i) => {
    const start = last - years + 1 + i;
    return `${start}${String((start + 1) % 100).padStart(2, '0')}`;
  });
}

/**
 * The features a run uses: those asked for; or else the method's own, plus prior attainment
 * where the method accepts it (used only if every school with the other features has it, so it
 * never drops a school from the population).
 */
export function candidateFeatures(
  method: ComparisonMethod,
  parameters: ComparisonParameters,
): { required: string[]; optional: string[] } {
  const required = [...method.requirements(groupingOptions(parameters)).features];
  if (parameters.features) return { required, optional: [] };
  const withPrior = [...required, PRIOR_ATTAINMENT_FEATURE];
  const accepted = contextFeatures(parameters.phase).some(
    (f) => f.code === PRIOR_ATTAINMENT_FEATURE,
  );
  if (!accepted) return { required, optional: [] };
  try {
    method.requirements(groupingOptions({ ...parameters, features: withPrior }));
    return { required, optional: [PRIOR_ATTAINMENT_FEATURE] };
  } catch (error) {
    if (error instanceof ComparisonInputError) return { required, optional: [] };
    throw error;
  }
}

/** Catalogue measures the run reads for its context features. */
export function contextMeasures(
  method: ComparisonMethod,
  parameters: ComparisonParameters,
): string[] {
  const { required, optional } = candidateFeatures(method, parameters);
  return [
    ...new Set(
      [...required, ...optional].flatMap((code) => contextFeature(parameters.phase, code).measures),
    ),
  ];
}

export interface DatasetVersion {
  readonly tenantId: string;
  readonly id: string;
}

/**
 * Equal keys mean equal results: the method and its version, the parameters and the dataset
 * versions read determine every number a run writes (SPEC §8 reproducibility).
 */
export function resultKey(
  method: ComparisonMethod,
  parameters: ComparisonParameters,
  datasets: readonly DatasetVersion[],
): string {
  const canonical = {
    method: method.id,
    version: method.version,
    parameters: {
      ...parameters,
      outcomeMeasures: [...parameters.outcomeMeasures].sort(),
      weights: parameters.weights
        ? Object.fromEntries(
            Object.entries(parameters.weights).sort(([a], [b]) => a.localeCompare(b)),
          )
        : null,
    },
    datasets: datasets.map((d) => `${d.tenantId}/${d.id}`).sort(),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
