// Builds what `npm start` runs: the server as one ES module (esbuild) and the web console (Vite).
//
//   node scripts/build.mjs               build both
//   node scripts/build.mjs --if-changed  build only the parts whose sources changed since their last build
//
// `npm install`/`npm ci` build once (`prepare`), `npm start` checks (`prestart`, --if-changed): a
// start on unchanged sources costs one hash of the sources (a few milliseconds), not a build.
// Each part's fingerprint (SHA-256 over its sources' paths and bytes, and the lockfile that pins
// the tools) is stored in dist/ beside the output and compared with the sources' at each check.
//
// One bundle instead of tsc's tree of files: Node loads one file instead of ~700 modules at
// every start. Packages that read files beside their own code (PGlite's WASM, the Swagger UI's
// pages, pino's workers, ioredis's and @fastify/swagger's package.json) stay in node_modules.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const at = (...parts) => join(ROOT, ...parts);
const STATE_FILE = at('dist', 'build-fingerprints.json');
const SHARED_INPUTS = ['package-lock.json', 'scripts/build.mjs'];

const EXTERNAL = ['@electric-sql/pglite', '@fastify/swagger', '@fastify/swagger-ui', 'ioredis', 'pino', 'pg-native'];

const PARTS = {
  server: {
    inputs: ['src', 'tsconfig.json', ...SHARED_INPUTS],
    output: at('dist', 'src', 'main.js'),
    build: buildServer,
  },
  console: {
    inputs: ['web', ...SHARED_INPUTS],
    output: at('web', 'dist', 'index.html'),
    build: buildConsole,
  },
};

/** Files under `path` (a file or folder, relative to the root), sorted; build outputs and dot-files skipped. */
function filesOf(path) {
  const full = at(path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  const found = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'dist' || entry.name === 'node_modules') continue;
    const child = relative(ROOT, join(full, entry.name));
    if (entry.isDirectory()) found.push(...filesOf(child));
    else if (entry.isFile()) found.push(child);
  }
  return found.sort();
}

function fingerprint(inputs) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(filesOf)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(at(file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readState() {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return {};
  }
}

async function buildServer() {
  const { build } = await import('esbuild');
  rmSync(at('dist', 'src'), { recursive: true, force: true });
  await build({
    entryPoints: [at('src', 'main.ts')],
    outfile: at('dist', 'src', 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // No keepNames: it wraps every closure the send path makes in a defineProperty call (4 % of its CPU,
    // issue 15 profile). Stack frames get the source's names back through the map (--enable-source-maps).
    sourcemap: 'linked',
    // Bundled CommonJS packages call require() for Node's built-ins; an ES module has none of its own.
    banner: { js: "import { createRequire as __gatewayRequire } from 'node:module';\nconst require = __gatewayRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  // migrate.ts reads ./migrations/ beside the module that holds it, which is now the bundle.
  cpSync(at('src', 'store', 'migrations'), at('dist', 'src', 'migrations'), { recursive: true });
}

async function buildConsole() {
  const { build } = await import('vite');
  await build({ configFile: at('web', 'vite.config.ts'), logLevel: 'warn' });
}

async function main() {
  const ifChanged = process.argv.includes('--if-changed');
  const state = readState();
  for (const [name, part] of Object.entries(PARTS)) {
    const print = fingerprint(part.inputs);
    if (ifChanged && state[name] === print && existsSync(part.output)) continue;
    const started = performance.now();
    try {
      await part.build();
    } catch (error) {
      // A production install (`npm ci --omit=dev`) has no build tools: a tree built before still runs,
      // and the install itself goes on (`npm start` says what is missing).
      const atInstall = process.env.npm_lifecycle_event === 'prepare';
      if (error?.code === 'ERR_MODULE_NOT_FOUND' && (atInstall || existsSync(part.output))) {
        process.stderr.write(`build: ${name} not built, the build tools are not installed (${error.message})\n`);
        continue;
      }
      throw error;
    }
    state[name] = print;
    mkdirSync(at('dist'), { recursive: true });
    writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
    process.stderr.write(`build: ${name} built in ${Math.round(performance.now() - started)} ms\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`build failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
