import { AppError, ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { diffContacts, parseContactMap } from '../lib/contacts.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db } from '../store/index.js';
import * as store from '../store/contacts.js';
import { lockSession, type SessionRow } from '../store/sessions.js';
import type { Customer } from './customers.js';
import type { SessionService } from './sessions.js';

const toView = (c: store.ContactRow) => ({
  id: c.id,
  user_id: c.user_id,
  session_id: c.session_id,
  jid: c.j_id,
  name: c.name ?? '',
  phone: c.phone ?? '',
  raw: c.raw,
  last_synced_at: c.last_synced_at,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

export interface SyncCounts {
  added: number;
  updated: number;
  removed: number;
  total: number;
}

type Deps = {
  db: Db;
  provider: Pick<ProviderClient, 'contacts'>;
  clock: Clock;
  sessions: Pick<SessionService, 'requireSession'>;
};

export function createContactService(deps: Deps) {
  const { db, provider, clock, sessions } = deps;

  /**
   * Fetches the provider's list and makes the cache equal to it (SPEC §3): a diff in memory, then at
   * most three bulk statements, never one per contact. The diff runs inside the transaction, so two
   * syncs of one session never interleave.
   */
  async function syncRow(row: SessionRow): Promise<SyncCounts> {
    if (!row.session_token) throw new AppError('SESSION_NOT_FOUND');
    const incoming = parseContactMap(await provider.contacts(row.session_token));
    const now = clock.now();
    return db.tx(async (q) => {
      await lockSession(q, row.id);
      const diff = diffContacts(await store.listStoredContacts(q, row.user_id, row.session_id), incoming);
      await store.upsertContacts(q, row.user_id, row.session_id, [...diff.added, ...diff.changed], now);
      await store.deleteContacts(q, row.user_id, row.session_id, diff.removed);
      await store.markContactsSynced(q, row.user_id, row.session_id, now);
      return { added: diff.added.length, updated: diff.changed.length, removed: diff.removed.length, total: incoming.length };
    });
  }

  /** POST …/contacts/sync: provider errors are relayed, transport errors are 502/504. */
  async function sync(customer: Customer, sessionId: string) {
    const counts = await syncRow(await sessions.requireSession(customer, sessionId));
    return { synced: counts.total, ...counts };
  }

  /**
   * GET …/contacts: syncs first unless `sync=false`; when the provider cannot be reached or refuses,
   * the cached list is still returned and `synced: false` with the reason says so (SPEC §3).
   */
  async function list(customer: Customer, sessionId: string, options: { sync: boolean; search?: string }) {
    const row = await sessions.requireSession(customer, sessionId);
    let sync: { synced: boolean; sync_error: string | null; counts: SyncCounts | null } = { synced: false, sync_error: null, counts: null };
    if (options.sync) {
      try {
        sync = { synced: true, sync_error: null, counts: await syncRow(row) };
      } catch (error) {
        if (!(error instanceof AppError || error instanceof ProviderHttpError)) throw error;
        sync.sync_error = error instanceof ProviderHttpError ? `provider answered ${error.status}` : error.message;
      }
    }
    const rows = await store.listContacts(db, customer.id, row.session_id, options.search?.trim() || null);
    return { contacts: rows.map(toView), synced: sync.synced, sync_error: sync.sync_error, sync: sync.counts };
  }

  return { list, sync };
}
export type ContactService = ReturnType<typeof createContactService>;
