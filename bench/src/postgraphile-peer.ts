import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * SQL for the peer only, in the bench's throwaway database: the two reads SchoolBench answers
 * that PostGraphile cannot derive from foreign keys, as computed columns (a group member's school
 * from its own tenant's register; a school's current observations, its own tenant's before the
 * public reference data's, as `School.observations` picks them). Plain SQL functions, inlined by
 * the planner, under the same row-level security.
 */
export const PEER_FUNCTIONS = `
  create function comparison_groups_school(g comparison_groups) returns schools
    language sql stable as $$
      select s.* from schools s where s.tenant_id = g.neighbour_tenant_id and s.urn = g.neighbour_urn
    $$;
  create function schools_current_observations(s schools, measure_codes text[], time_periods int[])
    returns setof observations language sql stable as $$
      select distinct on (o.measure, o.time_period, o.breakdown) o.*
      from observations o
      join datasets d on d.tenant_id = o.tenant_id and d.id = o.dataset_id and d.is_current
      where o.tenant_id in (s.tenant_id, app_public_tenant()) and o.urn = s.urn
        and o.measure = any(measure_codes) and o.time_period = any(time_periods)
      order by o.measure, o.time_period, o.breakdown, (o.tenant_id = s.tenant_id) desc
    $$;
`;

interface Claims {
  tid: string;
  sub: string;
  exp: number;
}

/**
 * The peer authenticates as SchoolBench does (HS256 access tokens signed with the same secret,
 * verified with a key made once) and sets `app.tenant_id` and `app.user_id` per request, in the
 * transaction PostGraphile opens for it. It does not look the user up in the database.
 */
function claimsOf(req: IncomingMessage, key: KeyObject): Claims {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const [header, payload, signature] = token?.split('.') ?? [];
  if (!header || !payload || !signature) throw new Error('No bearer token');
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Error('Bad token signature');
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  if (claims.exp * 1000 < Date.now()) throw new Error('Token expired');
  return claims;
}

/** Runs PostGraphile on `databaseUrl` (the app role) on a free port; resolves to that port. */
export async function startPostGraphile(databaseUrl: string, secret: string): Promise<number> {
  // Loaded here, so that only the peer's own process runs Grafast.
  const { postgraphile } = await import('postgraphile');
  const { makePgService } = await import('postgraphile/adaptors/pg');
  const { grafserv } = await import('postgraphile/grafserv/node');
  const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: databaseUrl, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false },
    grafast: {
      explain: false,
      context(requestContext) {
        const req = requestContext.node?.req;
        // Without a token no tenant is set, and every tenant table raises (introspection works).
        const claims = req?.headers.authorization ? claimsOf(req, key) : null;
        return {
          pgSettings: { 'app.tenant_id': claims?.tid ?? '', 'app.user_id': claims?.sub ?? '' },
        };
      },
    },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.on('error', (e) => process.stderr.write(`${String(e)}\n`));
  await serv.addTo(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
