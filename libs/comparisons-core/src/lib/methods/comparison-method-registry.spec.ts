import { SimilarSchoolGroups } from '../groups/similar-school-groups';
import type { ComparisonMethod } from './comparison-method';
import { ComparisonMethodRegistry } from './comparison-method-registry';
import { defaultComparisonMethods } from './default-comparison-methods';

function stubMethod(name: string, version: number): ComparisonMethod {
  return {
    name,
    version,
    id: `${name}-v${version}`,
    title: name,
    defaultK: 1,
    requirements: () => ({ features: [], regions: false, missing: 'drop' }),
    findGroups: (population) =>
      new SimilarSchoolGroups(
        `${name}-v${version}`,
        population.urns,
        [],
        new Int32Array(population.urns.length + 1),
        new Int32Array(0),
        new Float64Array(0),
        undefined,
      ),
  };
}

describe('ComparisonMethodRegistry', () => {
  it('ships context-knn-v1 and fbit-pupil-v1', () => {
    expect(defaultComparisonMethods().ids()).toEqual(['context-knn-v1', 'fbit-pupil-v1']);
  });

  it('finds a method by id, or by name for its latest version', () => {
    const registry = new ComparisonMethodRegistry()
      .register(stubMethod('peer-set', 1))
      .register(stubMethod('peer-set', 2));
    expect(registry.get('peer-set-v1').version).toBe(1);
    expect(registry.get('peer-set').version).toBe(2);
    expect(registry.has('peer-set-v3')).toBe(false);
  });

  it('names the available methods when asked for an unknown one', () => {
    expect(() => defaultComparisonMethods().get('magic-v1')).toThrow(
      'Unknown comparison method "magic-v1"; available: context-knn-v1, fbit-pupil-v1',
    );
  });

  it('refuses a duplicate or a badly named method', () => {
    const registry = new ComparisonMethodRegistry().register(stubMethod('a', 1));
    expect(() => registry.register(stubMethod('a', 1))).toThrow('already registered');
    expect(() => registry.register({ ...stubMethod('b', 1), id: 'b-1' })).toThrow(
      'must be "<name>-v<version>"',
    );
  });
});
