import { disadvantagedGap } from './disadvantaged-gap';

describe('disadvantagedGap', () => {
  it('compares the school’s gap with the median of its members’ gaps', () => {
    const result = disadvantagedGap({ disadvantaged: 55, notDisadvantaged: 70 }, [
      { disadvantaged: 50, notDisadvantaged: 70 }, // −20
      { disadvantaged: 60, notDisadvantaged: 70 }, // −10
      { disadvantaged: 'c', notDisadvantaged: 80 }, // suppressed: left out
      { disadvantaged: 40, notDisadvantaged: 70 }, // −30
      { disadvantaged: 66, notDisadvantaged: null }, // missing: left out
    ]);
    expect(result).toEqual({
      schoolGap: -15,
      groupGap: -20,
      difference: 5,
      groupN: 3,
      excluded: 2,
    });
  });

  it('has no gap when the school’s own value is suppressed', () => {
    const result = disadvantagedGap({ disadvantaged: 'low', notDisadvantaged: 70 }, [
      { disadvantaged: 50, notDisadvantaged: 70 },
    ]);
    expect(result).toMatchObject({ schoolGap: undefined, groupGap: -20, difference: undefined });
  });
});
