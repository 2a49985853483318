// The import direction of STYLE.md ("Flow rule"), checked on the resolved module graph rather than
// on text: route → service → store | provider, adapters (routes, jobs, inbound webhooks) on top,
// plain libraries (lib, limits, outbound) at the bottom. `npm run lint` runs it over src/.
const layer = (name) => `^src/${name}/`;
const below = (from, to, comment) => ({
  name: `${from}-not-to-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^src/(${to.join('|')})/` },
});

module.exports = {
  forbidden: [
    below('routes', ['store', 'provider', 'outbound', 'jobs', 'cluster'], 'A route calls one service; SQL and genfity-wa stay behind it.'),
    below('auth', ['routes', 'store', 'provider', 'outbound', 'jobs'], 'Auth hooks set a principal through a service.'),
    below('http', ['routes', 'store', 'provider', 'outbound', 'jobs'], 'HTTP plumbing knows services by type only.'),
    below('jobs', ['routes', 'http', 'auth', 'store', 'provider', 'outbound'], 'A job schedules, then makes one service call.'),
    below('services', ['routes', 'http', 'auth', 'jobs'], 'Services never see requests, replies or schedules.'),
    below('store', ['routes', 'http', 'auth', 'jobs', 'services', 'provider', 'outbound', 'limits'], 'The store only runs SQL.'),
    below(
      'provider',
      ['routes', 'http', 'auth', 'jobs', 'services', 'store', 'outbound', 'limits'],
      'The provider client only speaks HTTP to genfity-wa.',
    ),
    below('outbound', ['routes', 'http', 'auth', 'jobs', 'services', 'store', 'provider', 'limits'], 'Outbound clients only speak HTTP.'),
    below(
      'limits',
      ['routes', 'http', 'auth', 'jobs', 'services', 'store', 'provider', 'outbound', 'cluster'],
      'The limiter stands alone.',
    ),
    below(
      'cluster',
      ['routes', 'http', 'auth', 'jobs', 'services', 'store', 'provider', 'outbound', 'limits'],
      'The cluster primitives (bus, lifecycle lock) stand alone: deps.ts hands them to whoever needs them.',
    ),
    below(
      'lib',
      ['routes', 'http', 'auth', 'jobs', 'services', 'store', 'provider', 'outbound', 'limits', 'cluster'],
      'lib is the bottom layer.',
    ),
    {
      name: 'no-fastify-below-http',
      comment: 'Services, stores and clients never see Fastify.',
      severity: 'error',
      from: { path: '^src/(services|store|provider|outbound|lib|limits|jobs|cluster)/' },
      to: { path: 'node_modules/(fastify|@fastify)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { pathNot: '^src/http/types\\.ts$' } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
