import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../src/store/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A database made by the Go service (pg_dump), copied from shared/fixtures. */
export const legacySql = () => readFileSync(fixture('legacy-go-db.sql'), 'utf8');

export interface LegacyKeys {
  internal_api_keys: string;
  customer_api_keys: Record<string, string>;
  sessions: Record<string, { session_id: string; session_token: string; message_stat_sent: number }>;
}
export const legacyKeys = (): LegacyKeys => JSON.parse(readFileSync(fixture('legacy-go-db.keys.json'), 'utf8')) as LegacyKeys;

/** Loads the dump as psql would; the dump empties search_path for its session, so restore it after. */
export async function loadLegacyDump(db: Db): Promise<void> {
  await db.exec(legacySql());
  await db.exec('SET search_path TO "$user", public');
}
