import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/store/pglite.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';

// Issue 15: the embedded store's data directory is made by a child process and renamed into place,
// and PostgreSQL runs with small buffers, so the gateway's own memory stays that of a later start.
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'gw-embedded-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function writeAndReadBack(dataDir: string) {
  const first = await openPglite(dataDir);
  await first.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$);');
  await first.close();
  const again = await openPglite(dataDir);
  try {
    return (await again.query<{ v: string }>('SELECT v FROM kept')).rows.map((r) => r.v);
  } finally {
    await again.close();
  }
}

// Each test runs initdb once or twice: seconds on a quiet machine, much longer on a busy one.
describe('embedded store data directory', { timeout: 120_000 }, () => {
  it('a new directory is made whole, with the small buffers, and found again by the next start', async () => {
    const dataDir = join(root, 'pgdata');
    const db = await openPglite(dataDir);
    const { rows } = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
    await db.close();
    expect(rows[0]!.shared_buffers).toBe('16MB');
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(readdirSync(root)).toEqual(['pgdata']);
    expect(await writeAndReadBack(dataDir)).toEqual(['still here']);
  });

  it('what a first start killed during initdb left behind is made again, not opened', async () => {
    const dataDir = join(root, 'pgdata');
    mkdirSync(`${dataDir}.initdb/base`, { recursive: true });
    writeFileSync(`${dataDir}.initdb/PG_VERSION`, '17\n');
    expect(await writeAndReadBack(dataDir)).toEqual(['still here']);
    expect(readdirSync(root)).toEqual(['pgdata']);
  });

  it('an empty folder made beforehand (a mounted volume) becomes the store', async () => {
    const dataDir = join(root, 'pgdata');
    mkdirSync(dataDir);
    expect(await writeAndReadBack(dataDir)).toEqual(['still here']);
  });

  it("a gateway's first start keeps none of initdb's memory", async () => {
    const gateway = await startGatewayProcess({ DATA_DIR: root });
    try {
      // initdb in the gateway's own process left it at about 850 MiB; a later start is about 250 MiB under tsx.
      expect(gateway.rssBytes() / 2 ** 20).toBeLessThan(450);
      expect(existsSync(join(root, 'pgdata', 'PG_VERSION'))).toBe(true);
    } finally {
      gateway.signal('SIGKILL');
      await gateway.exited;
    }
  });
});
