/**
 * B28 (go-service-api §12, main.go:78-81 vs .env.example:8, Dockerfile:42-46, docker-compose.yml:22-33):
 * "The default port is 8070 in code and 8082 in every deployment file."
 *
 * Does not apply as code: the gateway chose one port, 8070 (SPEC §2: `PORT` default 8070), and pinned
 * here: the config default, and this repository's deployment files all say 8070 and never 8082. (Real
 * clients point at a URL they configure, e.g. govconnect's WA_SUPPORT_URL; nothing depends on 8082.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const repoFile = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');

describe('B28: one port, 8070, in code and in deployment files', () => {
  it('PORT defaults to 8070 and is still read from the environment', () => {
    expect(loadConfig({}).env.PORT).toBe(8070);
    expect(loadConfig({ PORT: '9000' }).env.PORT).toBe(9000);
  });

  it.each(['Dockerfile', 'compose.yaml', '.env.example'])('%s uses 8070 and not 8082', (name) => {
    const text = repoFile(name);
    expect(text).toContain('8070');
    expect(text).not.toContain('8082');
  });
});
