import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';

import { selectedArguments } from './selected-arguments';

const schema = buildSchema(`
  type Query { run(id: ID!): Run }
  type Run { id: ID!, groups(urn: Int): [Int!]!, benchmarks(urn: Int, period: String = "201819"): [Int!]! }
`);

/** The arguments `selectedArguments` finds from the `run` resolver for `query`. */
function selectedFrom(query: string, name: string, variables: Record<string, unknown> = {}) {
  let found: Record<string, unknown>[] = [];
  const rootValue = {
    run: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
      found = selectedArguments(info, name);
      return { id: 'r', groups: [], benchmarks: [] };
    },
  };
  const result = execute({ schema, document: parse(query), rootValue, variableValues: variables });
  expect(result).toMatchObject({ data: expect.anything() });
  return found;
}

describe('selectedArguments', () => {
  it('gives each selection of the field its arguments, with variables and defaults applied', () => {
    expect(
      selectedFrom(
        'query($u: Int) { run(id: "r") { id a: groups(urn: $u) b: groups(urn: 2) benchmarks } }',
        'groups',
        { u: 1 },
      ),
    ).toEqual([{ urn: 1 }, { urn: 2 }]);
    expect(selectedFrom('{ run(id: "r") { benchmarks(urn: 3) } }', 'benchmarks')).toEqual([
      { urn: 3, period: '201819' },
    ]);
  });

  it('looks through inline fragments and named fragments, each named fragment once', () => {
    const query = `{ run(id: "r") { ...f ...f ... on Run { groups(urn: 2) } } }
      fragment f on Run { groups(urn: 1) }`;
    expect(selectedFrom(query, 'groups')).toEqual([{ urn: 1 }, { urn: 2 }]);
  });

  it('leaves out what @skip and @include leave out', () => {
    const query = `query($no: Boolean!) { run(id: "r") {
      a: groups(urn: 1) @skip(if: true)
      b: groups(urn: 2) @include(if: $no)
      ... on Run @skip(if: $no) { c: groups(urn: 3) }
      d: groups(urn: 4) } }`;
    expect(selectedFrom(query, 'groups', { no: false })).toEqual([{ urn: 3 }, { urn: 4 }]);
  });

  it('finds nothing for a field the result does not select or its type does not have', () => {
    expect(selectedFrom('{ run(id: "r") { id } }', 'groups')).toEqual([]);
    expect(selectedFrom('{ run(id: "r") { id } }', 'members')).toEqual([]);
  });
});
