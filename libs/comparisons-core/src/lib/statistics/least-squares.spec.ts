import { contextualExpectation, fitLeastSquares } from './least-squares';

describe('fitLeastSquares', () => {
  it('recovers an exact plane: hand-made y = 3 + 2a − b', () => {
    const rows = [
      [0, 0],
      [1, 0],
      [0, 1],
      [2, 3],
      [5, 1],
    ];
    const model = fitLeastSquares(
      rows,
      rows.map(([a, b]) => 3 + 2 * a - b),
    );
    expect(model.intercept).toBeCloseTo(3, 12);
    expect(model.coefficients[0]).toBeCloseTo(2, 12);
    expect(model.coefficients[1]).toBeCloseTo(-1, 12);
    expect(model.rSquared).toBeCloseTo(1, 12);
    expect(contextualExpectation(model, [1, 1], 5)).toEqual({
      expected: expect.closeTo(4, 12),
      residual: expect.closeTo(1, 12),
    });
  });

  it('fits a line by hand: points (0,1) (1,3) (2,2)', () => {
    // slope 0.5, intercept ȳ − 0.5 x̄ = 1.5; residuals −0.5, 1, −0.5; SSR 1.5, SST 2.
    const model = fitLeastSquares([[0], [1], [2]], [1, 3, 2]);
    expect(model.coefficients[0]).toBeCloseTo(0.5, 14);
    expect(model.intercept).toBeCloseTo(1.5, 14);
    expect(model.rSquared).toBeCloseTo(0.25, 14);
    expect(model.residualStandardError).toBeCloseTo(Math.sqrt(1.5), 14);
  });

  it('stays accurate when features are large and nearly collinear with the intercept', () => {
    // Years around 2018: XᵀX would lose about 7 digits; centring and QR do not.
    const years = [2015, 2016, 2017, 2018, 2019];
    const model = fitLeastSquares(
      years.map((y) => [y]),
      years.map((y) => 0.25 * y - 400),
    );
    expect(model.coefficients[0]).toBeCloseTo(0.25, 12);
    expect(model.predict([2020])).toBeCloseTo(105, 9);
  });

  it('refuses collinear, constant or too few observations', () => {
    expect(() =>
      fitLeastSquares(
        [
          [1, 2],
          [2, 4],
          [3, 6],
          [4, 8],
        ],
        [1, 2, 3, 5],
      ),
    ).toThrow('combination');
    expect(() => fitLeastSquares([[1], [1], [1]], [1, 2, 3])).toThrow('constant');
    expect(() => fitLeastSquares([[1, 2]], [1])).toThrow('at least 3');
    expect(() => fitLeastSquares([[1], [Number.NaN], [2]], [1, 2, 3])).toThrow('finite');
  });
});
