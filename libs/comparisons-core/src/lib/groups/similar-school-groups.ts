/** One member of a school's group. */
export interface SimilarSchool {
  readonly urn: number;
  /** 1 = most similar. */
  readonly rank: number;
  readonly distance: number;
  /** Each feature's share of the squared distance (they sum to 1; all 0 when distance is 0). */
  readonly shares?: Readonly<Record<string, number>>;
}

/** A row of the offline output: `urn,rank,neighbour_urn,distance`. */
export interface GroupRow {
  readonly urn: number;
  readonly rank: number;
  readonly neighbourUrn: number;
  readonly distance: number;
}

export interface ExcludedFromGroups {
  readonly urn: number;
  readonly reason: string;
}

/**
 * The groups a comparison method found for every school of a population, stored flat:
 * school i's members are `members[offsets[i] .. offsets[i+1])` (row indices into `urns`).
 */
export class SimilarSchoolGroups {
  private rowIndex: Map<number, number> | undefined;

  constructor(
    readonly methodId: string,
    readonly urns: Int32Array,
    readonly features: readonly string[],
    readonly offsets: Int32Array,
    readonly members: Int32Array,
    readonly distances: Float64Array,
    /** members × features shares of the squared distance, when the method reports them. */
    readonly shares: Float64Array | undefined,
    readonly excluded: readonly ExcludedFromGroups[] = [],
  ) {}

  private get rowOf(): Map<number, number> {
    this.rowIndex ??= new Map(Array.from(this.urns, (urn, i) => [urn, i]));
    return this.rowIndex;
  }

  /** Schools that have a group. */
  get size(): number {
    return this.urns.length;
  }

  /** Members across all groups. */
  get memberCount(): number {
    return this.members.length;
  }

  has(urn: number): boolean {
    return this.rowOf.has(urn);
  }

  /** The group of a school, most similar first; undefined if the school has no group. */
  groupOf(urn: number): SimilarSchool[] | undefined {
    const row = this.rowOf.get(urn);
    if (row === undefined) return undefined;
    const start = this.offsets[row];
    const end = this.offsets[row + 1];
    const d = this.features.length;
    const group: SimilarSchool[] = [];
    for (let at = start; at < end; at++) {
      const member = {
        urn: this.urns[this.members[at]],
        rank: at - start + 1,
        distance: this.distances[at],
      };
      const shares = this.shares;
      group.push(
        shares
          ? {
              ...member,
              shares: Object.fromEntries(this.features.map((f, j) => [f, shares[at * d + j]])),
            }
          : member,
      );
    }
    return group;
  }

  /** Every membership as an output row, schools by ascending URN, members by rank. */
  *rows(): Generator<GroupRow> {
    for (let row = 0; row < this.urns.length; row++) {
      const urn = this.urns[row];
      const start = this.offsets[row];
      const end = this.offsets[row + 1];
      for (let at = start; at < end; at++) {
        yield {
          urn,
          rank: at - start + 1,
          neighbourUrn: this.urns[this.members[at]],
          distance: this.distances[at],
        };
      }
    }
  }
}
