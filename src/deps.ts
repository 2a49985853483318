import type { Config } from './config.js';
import { systemClock, type Clock } from './lib/clock.js';
import { cryptoRandom, type Random } from './lib/ids.js';
import { openStore, type Db } from './store/index.js';
import { createCustomerService } from './services/customers.js';
import { createUserService } from './services/users.js';

/** Everything with I/O or time, built once (STYLE: DI rule). Tests pass their own clock, random or store. */
export interface DepsOverrides {
  clock?: Clock;
  random?: Random;
  db?: Db;
}

export async function createDeps(config: Readonly<Config>, overrides: DepsOverrides = {}) {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const db = overrides.db ?? await openStore(config.store);
  const services = {
    users: createUserService({ db, clock, random }),
    customers: createCustomerService({ db, clock }),
  };
  return {
    config,
    clock,
    random,
    db,
    services,
    /** Closes what createDeps opened; a store passed in by the caller is the caller's to close. */
    async close() {
      if (!overrides.db) await db.close();
    },
  };
}
export type Deps = Awaited<ReturnType<typeof createDeps>>;
export type Services = Deps['services'];
