// The import direction of STYLE.md ("Flow rule"), checked on the resolved module graph rather than
// on text: route → service → store | provider, adapters (routes, auth, http, jobs) on top; below the
// services, store, provider, outbound, limits and cluster stand side by side (none imports another);
// lib is the bottom. The composition root (deps.ts and its *-deps.ts parts, app.ts, main.ts) sits
// above them all. `npm run lint` runs it over src/ (and test/architecture.test.ts).
const layer = (name) => `^src/${name}/`;
const below = (from, to, comment) => ({
  name: `${from}-not-to-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^src/(${to.join('|')})/` },
});
const ABOVE_SERVICES = ['routes', 'http', 'auth', 'jobs', 'services'];
const SIDE_BY_SIDE = ['store', 'provider', 'outbound', 'limits', 'cluster'];
/** One of the layers under the services: it imports neither what is above it nor any of the others. */
const sideBySide = (name, comment) => below(name, [...ABOVE_SERVICES, ...SIDE_BY_SIDE.filter((other) => other !== name)], comment);

module.exports = {
  forbidden: [
    below('routes', ['store', 'provider', 'outbound', 'jobs', 'cluster'], 'A route calls one service; SQL and genfity-wa stay behind it.'),
    below('auth', ['routes', 'store', 'provider', 'outbound', 'jobs', 'cluster'], 'Auth hooks set a principal through a service.'),
    below('http', ['routes', 'store', 'provider', 'outbound', 'jobs', 'cluster'], 'HTTP plumbing knows services by type only.'),
    below('jobs', ['routes', 'http', 'auth', 'store', 'provider', 'outbound', 'cluster'], 'A job schedules, then makes one service call.'),
    below('services', ['routes', 'http', 'auth', 'jobs'], 'Services never see requests, replies or schedules.'),
    sideBySide('store', 'The store only runs SQL.'),
    sideBySide('provider', 'The provider client only speaks HTTP to genfity-wa; deps.ts gives it the cluster lock as a plain interface.'),
    sideBySide('outbound', 'Outbound clients only speak HTTP.'),
    sideBySide('limits', 'The limiter stands alone.'),
    sideBySide('cluster', 'The cluster primitives (bus, lifecycle lock) stand alone: deps.ts hands them to whoever needs them.'),
    below('lib', [...ABOVE_SERVICES, ...SIDE_BY_SIDE], 'lib is the bottom layer.'),
    {
      name: 'no-composition-root-below',
      comment:
        'main.ts, app.ts, deps.ts and its parts (*-deps.ts) build the layers; no layer reaches back up to them (a type, such as the services Fastify is decorated with, may be named).',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/([a-z]+-deps|deps|main|app)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
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
