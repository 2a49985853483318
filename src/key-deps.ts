import type { Config } from './config.js';
import type { Clock } from './lib/clock.js';
import type { Random } from './lib/random.js';
import { createApiKeyService } from './services/api-keys.js';
import { createAuditService } from './services/audit.js';
import { createKeyUsage } from './services/key-usage.js';
import type { Db } from './store/index.js';

// The customer-key and audit half of the composition root (deps.ts), issue 18. Building starts
// nothing: the last-use flush and the audit pruning are jobs (jobs-deps.ts).

/** What the key parts stand on, built by deps.ts. */
export interface KeyFoundations {
  env: Config['env'];
  db: Db;
  clock: Clock;
  random: Random;
}

/**
 * Customer keys and the audit trail (issue 18): rotation with grace, last use noted in memory (written
 * by the keyUsageFlush job and at shutdown), and audit records past AUDIT_RETENTION_DAYS (pruned by
 * the auditPrune job).
 */
export function createKeyParts(f: KeyFoundations) {
  const { db, clock } = f;
  return {
    usage: createKeyUsage({ db, clock }),
    audit: createAuditService({ db, clock, retentionDays: f.env.AUDIT_RETENTION_DAYS }),
    apiKeys: createApiKeyService({ db, clock, random: f.random }),
  };
}
