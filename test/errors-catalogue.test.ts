import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps, type Deps } from '../src/deps.js';
import { ERRORS } from '../src/errors.js';
import { runMigrations } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite.js';
import type { Db } from '../src/store/index.js';

// STYLE: error model — the catalogue, the README and the OpenAPI document never drift apart. Adding
// a code to src/errors.ts? Add its row to the README's "Errors" table (the failure prints it).
const catalogue = Object.entries(ERRORS).map(([code, e]) => ({ code, status: e.status, message: e.message }));
const row = (e: { code: string; status: number; message: string }) => `| \`${e.code}\` | ${e.status} | ${e.message} |`;

function readmeRows() {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Errors\n'));
  if (!section) throw new Error('README.md has no "## Errors" section');
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \| (.*) \|$/gm)].map((m) => ({
    code: m[1]!,
    status: Number(m[2]),
    message: m[3]!,
  }));
}

describe('error catalogue', () => {
  it('the README lists every code with its status and message, and no code that does not exist', () => {
    const rows = readmeRows();
    const missing = catalogue.filter((e) => !rows.some((r) => r.code === e.code));
    expect(missing.map(row), "rows to add to the README's Errors table").toEqual([]);
    const unknown = rows.filter((r) => !(r.code in ERRORS)).map((r) => r.code);
    expect(unknown, 'README codes that src/errors.ts does not have').toEqual([]);
    expect(rows.map(row), 'status and message as in src/errors.ts').toEqual(
      rows.map((r) => row(catalogue.find((e) => e.code === r.code)!)),
    );
    expect(new Set(rows.map((r) => r.code)).size, 'each code once').toBe(rows.length);
  });

  describe('in the OpenAPI document', () => {
    let db: Db;
    let deps: Deps;
    let doc: Record<string, any>;
    beforeAll(async () => {
      db = await openPglite(null);
      await runMigrations(db);
      const config = loadConfig({ LOG_LEVEL: 'silent' });
      deps = await createDeps(config, { db });
      const app = await buildApp(config, deps, { logger: false });
      doc = (await app.inject({ url: '/openapi.json' })).json();
      await app.close();
    });
    afterAll(async () => {
      await deps.close();
      await db.close();
    });

    it('ErrorBody.code enumerates exactly the catalogue', () => {
      expect(doc.components.schemas.ErrorBody.properties.code.enum).toEqual(catalogue.map((e) => e.code));
    });
  });
});
