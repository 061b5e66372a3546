import { censusPopulation } from '../population/census-population';
import { readCensusFile } from '../population/census-table';
import { ks2Column } from '../testing/ks2-extract';
import { sharedDataFile } from '../testing/shared-data-folder';
import { expectationFor, fitContextualModel } from './contextual-model';

// Reading the national files takes a second or two, more on a busy machine.
jest.setTimeout(60_000);

describe('fitContextualModel on real data', () => {
  it('matches numpy’s least squares: KS2 2017/18 % RWM expected standard on census context', async () => {
    const table = await readCensusFile(sharedDataFile('dfe/national/2018-2019_england_census.csv'));
    const { population } = censusPopulation(table, {
      schoolType: 'State-funded primary',
      features: ['pct_fsm_ever', 'pct_eal', 'pct_sen_support', 'pct_ehc_plan', 'ln_pupils'],
      missing: 'drop',
    });
    const outcome = ks2Column('2017-2018_england_ks2_extract.csv', 'Overall Meet Std');
    const contextual = fitContextualModel(population, outcome);

    // Produced once with numpy 1.24: np.linalg.lstsq on [1, PNUMFSMEVER, PNUMEAL, PSENELK,
    // PSENELSE, ln NOR] over the 13,619 schools with both a census row and a KS2 result.
    expect(contextual.model.n).toBe(13619);
    const numpy = [
      62.65879449922581, -0.30177970287585887, 0.01505848949749975, -0.2823401845060752,
      -0.2878915128003494, 2.4960441882675415,
    ];
    expect(contextual.model.intercept).toBeCloseTo(numpy[0], 9);
    contextual.model.coefficients.forEach((b, j) => expect(b).toBeCloseTo(numpy[j + 1], 11));
    expect(contextual.model.rSquared).toBeCloseTo(0.1297671699967582, 12);
    expect(contextual.model.residualStandardError).toBeCloseTo(14.683726217676012, 10);

    const school = expectationFor(contextual, population, 100000, outcome.get(100000));
    expect(school?.expected).toBeCloseTo(67.16506335852092, 10);
    expect(school?.residual).toBeCloseTo(4.834936641479075, 10);
  });
});
