import { contextKnnV1 } from '../context-knn/context-knn';
import { fbitPupilV1 } from '../fbit-pupil/fbit-pupil';
import { ComparisonMethodRegistry } from './comparison-method-registry';

/** Every method SchoolBench ships. Adding one is one line here (see docs/comparisons.md). */
export function defaultComparisonMethods(): ComparisonMethodRegistry {
  return new ComparisonMethodRegistry().register(contextKnnV1).register(fbitPupilV1);
}
