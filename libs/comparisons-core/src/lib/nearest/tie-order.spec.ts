import { orderByDistanceThenIndex } from './tie-order';

describe('orderByDistanceThenIndex', () => {
  it('orders by distance, and distances equal up to rounding by ascending index', () => {
    const points = Int32Array.from([9, 4, 7, 2, 5]);
    // 0.3 and 0.1 + 0.2 are the same distance computed two ways.
    const distances = Float64Array.from([0.30000000000000004, 0.3, 0.5, 0.30000000000000004, 0.1]);
    orderByDistanceThenIndex(points, distances, 5);
    expect(Array.from(points)).toEqual([5, 2, 4, 9, 7]);
  });

  it('does not merge distances that really differ', () => {
    const points = Int32Array.from([1, 2]);
    const distances = Float64Array.from([0.3000001, 0.3]);
    orderByDistanceThenIndex(points, distances, 2);
    expect(Array.from(points)).toEqual([2, 1]);
  });

  it('only touches the first `count` entries', () => {
    const points = Int32Array.from([3, 1, 0]);
    const distances = Float64Array.from([2, 1, 0]);
    orderByDistanceThenIndex(points, distances, 2);
    expect(Array.from(points)).toEqual([1, 3, 0]);
  });
});
