import { citusShardCount, databaseDistribution } from './citus-distribution';

describe('the distribution settings', () => {
  it('defaults to one node and 32 shards', () => {
    expect(databaseDistribution({})).toBe('single-node');
    expect(citusShardCount({})).toBe(32);
  });

  it('reads a Citus cluster and a shard count', () => {
    expect(databaseDistribution({ DATABASE_DISTRIBUTION: 'citus' })).toBe('citus');
    expect(citusShardCount({ CITUS_SHARD_COUNT: '4' })).toBe(4);
  });

  it.each(['0', '-2', '2.5', 'four', '', '1025'])(
    'refuses CITUS_SHARD_COUNT=%j, naming the setting and the value',
    (value) => {
      expect(() => citusShardCount({ CITUS_SHARD_COUNT: value })).toThrow(
        `CITUS_SHARD_COUNT must be a whole number from 1 to 1024, not "${value}"`,
      );
    },
  );

  it('refuses an unknown distribution', () => {
    expect(() => databaseDistribution({ DATABASE_DISTRIBUTION: 'sharded' })).toThrow(
      'DATABASE_DISTRIBUTION must be "single-node" or "citus", not "sharded"',
    );
  });
});
