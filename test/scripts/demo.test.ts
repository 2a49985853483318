import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The README promises that `npm run demo` shows a message going through in one command: keep it true.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('starts the simulator and the gateway, pairs a session, sends a message, prints the curls and stops cleanly', async () => {
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    expect(stdout).toMatch(/It sends a message\n\$ curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/v1\/wa\/chat\/send\/text' -H 'token: wat_/);
    expect(stdout).toMatch(/→ 200 \{"code":200,"data":\{"Details":"Sent"/);
    expect(stdout).toMatch(/quota: 99 of 100 left/);
    expect(stdout).toMatch(/Customer key {3}gwa_\S+\nSession token {2}wat_\S+\nSend again {5}curl /);
  });
});
