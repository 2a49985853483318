import type { Logger } from 'pino';
import type { Config } from './config.js';
import { startPeriodic } from './jobs/periodic.js';
import type { Clock } from './lib/clock.js';
import type { Random } from './lib/ids.js';
import { createApiKeyService } from './services/api-keys.js';
import { createAuditService } from './services/audit.js';
import { createKeyUsage } from './services/key-usage.js';
import type { Db } from './store/index.js';

// The customer-key and audit half of the composition root (deps.ts), issue 18.

/** What the key parts stand on, built by deps.ts. */
export interface KeyFoundations {
  env: Config['env'];
  db: Db;
  clock: Clock;
  random: Random;
  logger: Logger;
}

const KEY_USAGE_FLUSH_MS = 10_000;
const AUDIT_PRUNE_MS = 3_600_000;

/**
 * Customer keys and the audit trail (issue 18): rotation with grace, last use noted in memory and
 * written every KEY_USAGE_FLUSH_MS (and at shutdown), and audit records past AUDIT_RETENTION_DAYS
 * pruned hourly by every instance (a delete in batches: idempotent, so no lock is needed).
 */
export function createKeyParts(f: KeyFoundations) {
  const { db, clock, logger } = f;
  const usage = createKeyUsage({ db, clock });
  const audit = createAuditService({ db, clock, retentionDays: f.env.AUDIT_RETENTION_DAYS });
  const flush = startPeriodic({
    run: usage.flush,
    everyMs: KEY_USAGE_FLUSH_MS,
    log: logger,
    failure: 'key last-use flush failed; kept for the next one',
    finalRun: true,
  });
  const prune = startPeriodic({ run: audit.prune, everyMs: AUDIT_PRUNE_MS, log: logger, failure: 'audit record pruning failed' });
  return {
    usage,
    audit,
    apiKeys: createApiKeyService({ db, clock, random: f.random }),
    async stop() {
      await prune.stop();
      await flush.stop();
    },
  };
}
