import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// STYLE: route → service → store | provider, imports only that way; config.ts is the only reader of
// the environment; the provider client is the only code that speaks HTTP to genfity-wa.
const root = new URL('../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const sources = files(root).map((path) => {
  const text = readFileSync(path, 'utf8');
  const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
  const resolved = imports.map((spec) => (spec.startsWith('.') ? relative(root, join(path, '..', spec)) : spec));
  return { file: relative(root, path), text, imports: resolved };
});

const require = createRequire(import.meta.url);
const rules = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };

/** The import direction (STYLE: flow rule) on the resolved module graph, as `npm run lint` checks it. */
async function violations(): Promise<string[]> {
  const result = await cruise(['src'], {
    ...rules.options,
    validate: true,
    ruleSet: { forbidden: rules.forbidden },
  } as never);
  const output = result.output as { summary: { violations: Array<{ from: string; to: string; rule: { name: string } }> } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('architecture', () => {
  it('reads the imports it checks', () => {
    const sessions = sources.find((s) => s.file === 'services/sessions.ts')!;
    expect(sessions.imports).toEqual(expect.arrayContaining(['store/sessions.js', 'errors.js']));
  });

  it('every layer imports only downwards (dependency-cruiser)', async () => {
    expect(await violations()).toEqual([]);
  });

  it('only config.ts reads process.env', () => {
    expect(sources.filter((s) => s.file !== 'config.ts' && /process\.env/.test(s.text)).map((s) => s.file)).toEqual([]);
  });

  it('only the outbound clients (provider, customer webhooks) use undici', () => {
    expect(sources.filter((s) => !/^(provider|outbound)\//.test(s.file) && s.imports.includes('undici')).map((s) => s.file)).toEqual([]);
  });

  it('SQL lives in the store', () => {
    const sql = /\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM)\b/;
    expect(sources.filter((s) => !s.file.startsWith('store/') && sql.test(s.text)).map((s) => s.file)).toEqual([]);
  });
});
