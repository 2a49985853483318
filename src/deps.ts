import type { Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { cryptoRandom, type Random } from './lib/ids.js';
import { openStore, type Db } from './store/index.js';
import { createProviderClient, type ProviderClient } from './provider/client.js';
import { createContactService } from './services/contacts.js';
import { createCustomerService } from './services/customers.js';
import { createSessionService } from './services/sessions.js';
import { createSettingsService } from './services/settings.js';
import { createUserService } from './services/users.js';

/** Everything with I/O or time, built once (STYLE: DI rule). Tests pass their own clock, random or store. */
export interface DepsOverrides {
  clock?: Clock;
  random?: Random;
  db?: Db;
  provider?: ProviderClient;
}

export async function createDeps(config: Readonly<Config>, overrides: DepsOverrides = {}) {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const db = overrides.db ?? await openStore(config.store);
  const { env } = config;
  const provider = overrides.provider ?? createProviderClient({ baseUrl: env.WA_SERVER_URL, adminToken: env.WA_ADMIN_TOKEN,
    timeoutMs: env.PROVIDER_TIMEOUT_MS, longTimeoutMs: env.PROVIDER_LONG_TIMEOUT_MS });
  const customers = createCustomerService({ db, clock });
  const webhooks = { allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS };
  const sessions = createSessionService({ db, provider, clock, random, customers, webhooks });
  const services = {
    users: createUserService({ db, clock, random }),
    customers,
    sessions,
    settings: createSettingsService({ db, clock, sessions, customers }),
    contacts: createContactService({ db, provider, clock, sessions, customers }),
  };
  return {
    config,
    clock,
    random,
    db,
    provider,
    services,
    /** Closes what createDeps opened; a store passed in by the caller is the caller's to close. */
    async close() {
      await provider.close();
      if (!overrides.db) await db.close();
    },
  };
}
export type Deps = Awaited<ReturnType<typeof createDeps>>;
export type Services = Deps['services'];
