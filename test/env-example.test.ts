import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../src/config.js';

// Issue 7 §7: `.env.example` lists every variable; the README's configuration table documents it.
const root = new URL('../', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, root), 'utf8');

describe('every setting is documented', () => {
  it.each(Object.keys(EnvSchema.properties))('%s is in .env.example and the README', (name) => {
    expect(read('.env.example')).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    expect(read('README.md')).toContain(`\`${name}\``);
  });
});
