import type { ClusterBus } from '../cluster/bus.js';
import { isAppError } from '../errors.js';
import type { ProviderClient } from '../provider/client.js';
import { pingStore } from '../store/health.js';
import type { Queryable } from '../store/index.js';

/**
 * What one readiness check found. `ok: false` makes the instance not ready; a `detail` on a passing
 * check is a warning an operator should see (for example secrets kept without an encryption key).
 */
export interface CheckResult {
  ok: boolean;
  detail?: string;
}
export type ReadinessCheck = () => Promise<CheckResult>;

export interface ReadinessReport {
  ready: boolean;
  /** Each check by name: `ok` or `down`. */
  checks: Record<string, 'ok' | 'down'>;
  /** Why a check is down, or what a passing one warns about; only checks that said something. */
  details: Record<string, string>;
}

/** A short, safe reason: the typed message and a driver code such as ECONNREFUSED, never a stack or a DSN. */
function reason(error: unknown): string {
  const codeOf = (e: unknown) => {
    const code = (e as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : null;
  };
  if (!isAppError(error)) return codeOf(error) ? `failed (${codeOf(error)})` : 'failed';
  const cause = codeOf(error.cause);
  return cause ? `${error.message} (${cause})` : error.message;
}

function withTimeout(check: ReadinessCheck, ms: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${ms} ms` }), ms);
  });
  const run = check().catch((error: unknown): CheckResult => ({ ok: false, detail: reason(error) }));
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

/**
 * Readiness (SPEC §7): the instance takes traffic only when every named check passes. Checks run in
 * parallel, each bounded by `timeoutMs`, so a hung dependency makes `/ready` answer 503, not hang.
 * More dependencies (Redis, the encryption key) are added as more entries of `checks` in deps.ts.
 */
export function createReadiness(deps: { checks: Record<string, ReadinessCheck>; timeoutMs?: number }) {
  const timeoutMs = deps.timeoutMs ?? 3_000;

  async function check(): Promise<ReadinessReport> {
    const names = Object.keys(deps.checks);
    const results = await Promise.all(names.map((name) => withTimeout(deps.checks[name]!, timeoutMs)));
    const report: ReadinessReport = { ready: true, checks: {}, details: {} };
    names.forEach((name, i) => {
      const result = results[i]!;
      report.checks[name] = result.ok ? 'ok' : 'down';
      if (!result.ok) report.ready = false;
      if (result.detail) report.details[name] = result.detail;
    });
    return report;
  }

  return { check };
}
export type Readiness = ReturnType<typeof createReadiness>;

/** The store answers a statement. */
export const storeCheck =
  (db: Queryable): ReadinessCheck =>
  async () => {
    await pingStore(db);
    return { ok: true };
  };

/**
 * genfity-wa is reachable: its own health route answers below 500. A down or slow one throws a typed
 * error, whose message is the detail (the transport's own code goes to the provider metrics, not here).
 */
export const providerCheck =
  (provider: Pick<ProviderClient, 'health'>): ReadinessCheck =>
  async () => {
    try {
      return (await provider.health()) ? { ok: true } : { ok: false, detail: 'provider answered its health check with an error' };
    } catch (error) {
      if (isAppError(error)) return { ok: false, detail: error.message };
      throw error;
    }
  };

/**
 * The cluster bus (cluster/bus.ts). Down is a warning, not a failure: what it carries has a safety net
 * in PostgreSQL (revoked tokens are refused everywhere once the one-second token cache lapses).
 */
export const busCheck =
  (bus: Pick<ClusterBus, 'health'>): ReadinessCheck =>
  async () => {
    const health = bus.health();
    if (health.ok) return { ok: true };
    return {
      ok: true,
      detail: `${health.mode} ${health.detail ?? 'down'}: other instances' revocations arrive within 1 s (the token cache's lifetime)`,
    };
  };
