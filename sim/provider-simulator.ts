import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCore } from './router.js';
import type { SimCore } from './router.js';
import { createFaults } from './faults.js';
import type { FailRule, StreamRule } from './faults.js';
import { createActions } from './sim-actions.js';
import { createLifecycleGuard, type LifecycleReport } from './lifecycle-guard.js';
import { handleControl } from './control-routes.js';
import { dispatchProvider, providerRoutes } from './provider-routes.js';
import { toView } from './state.js';
import type { InboundMessage, Postmap } from './events.js';
import type {
  ContactInfo,
  Delivery,
  ExistingUser,
  PairOptions,
  RecordedRequest,
  SimulatorConfig,
  SimulatorOptions,
  StatusFault,
  UserView,
} from './types.js';

export type { SimulatorOptions, RecordedRequest, Delivery, UserView, PairOptions, ContactInfo, SimulatorConfig, ExistingUser, StatusFault };
export type { InboundMessage, Postmap, FailRule, StreamRule, LifecycleReport };
export { qrDataUrl } from './qr.js';

/** A real HTTP server that answers as genfity-wa does, plus the controls a test needs. */
export interface ProviderSimulator {
  readonly url: string;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Every provider request received (control calls under /_sim and dropped "down" calls excluded). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /**
   * Lifecycle calls (connect, disconnect, logout, full delete) and how many overlapped: genfity-wa
   * can crash on overlapping ones, so each overlap has its connection dropped (sim/lifecycle-guard.ts).
   */
  readonly lifecycle: LifecycleReport;
  /** Every outbound webhook attempt, filled in with `status` or `error` when it completes. */
  readonly deliveries: Delivery[];
  clearDeliveries(): void;
  waitForDelivery(match?: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  listUsers(): UserView[];
  findUserById(id: string): UserView | undefined;
  pair(sessionId: string, options?: PairOptions): UserView;
  /** Inserts a user the provider already had (an adopted installation), with its own id and token. */
  addUser(user: ExistingUser): UserView;
  injectMessage(sessionId: string, message?: InboundMessage): Postmap;
  injectEvent(sessionId: string, type: string, event: unknown, extras?: Record<string, unknown>): Postmap;
  setContacts(sessionId: string, contacts: Record<string, Partial<ContactInfo>>): void;
  rotateQr(sessionId: string): Promise<void>;
  setLatency(ms: number, pathPrefix?: string): void;
  failNext(pathPrefix: string, rule: FailRule): void;
  setGarbage(pathPrefix: string, count?: number): void;
  /** The next `count` (1) matching calls get an answer that never ends (`trickle` or `endless`). */
  setStream(pathPrefix: string, rule: StreamRule): void;
  setDown(down: boolean): void;
  /** The session stays connected but posts no webhooks (issue 16: a "silent" session). */
  setSilent(sessionId: string, silent: boolean): void;
  /** How `/session/status` answers for the session: garbage, disconnected, slow; null answers truthfully. */
  setStatusFault(sessionId: string, fault: StatusFault | null): void;
  /** The session loses its connection (device stays paired); a Disconnected webhook only with `notify`. */
  drop(sessionId: string, notify?: boolean): UserView;
  configure(changes: Partial<SimulatorConfig>): SimulatorConfig;
  reset(): void;
}

const DEFAULTS = {
  connectStallMs: 2000,
  webhookFormat: 'form',
  webhookRetryCount: 5,
  webhookRetryDelayMs: 30_000,
  webhookTimeoutMs: 30_000,
  qrFirstMs: 60_000,
  qrRotateMs: 20_000,
  qrCodes: 6,
} as const;

function resolveConfig(options: SimulatorOptions): SimulatorConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...defined } as SimulatorConfig;
}

export function createProviderSimulator(options: SimulatorOptions): ProviderSimulator {
  if (!options.adminToken) throw new Error('adminToken is required');
  const config = resolveConfig(options);
  let core: SimCore = createCore(config);
  let actions = createActions(core);
  const faults = createFaults();
  const requests: RecordedRequest[] = [];
  const lifecycle = createLifecycleGuard();
  let routes = providerRoutes(core);
  // The provider's IdleTimeout is 180 s (main.go:452-458); close() still ends idle sockets at once.
  const listener = createListener((req, res) => {
    void handle(req, res).catch(() => req.socket.destroy());
  }, 180_000);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    if (url.pathname.startsWith('/_sim/') || url.pathname === '/_sim') return handleControl(sim, req, res, url);
    // "Down" drops the connection before any byte is answered, so clients see a connection error.
    if (faults.state.down) return void req.socket.destroy();
    await dispatchProvider({ core, routes, faults, requests, lifecycle }, req, res, url);
  }

  function stopSessions(): void {
    for (const user of core.store.users.values()) core.qr.stop(user);
  }

  const sim: ProviderSimulator = {
    get url() {
      return listener.url;
    },
    listen: (port, host) => listener.listen(port, host),
    async close() {
      stopSessions();
      await core.dispatcher.close();
      await listener.close();
    },
    requests,
    clearRequests: () => void requests.splice(0),
    get lifecycle() {
      return lifecycle.report();
    },
    get deliveries() {
      return core.dispatcher.deliveries;
    },
    clearDeliveries: () => void core.dispatcher.deliveries.splice(0),
    waitForDelivery: (match, timeoutMs) => core.dispatcher.waitForDelivery(match, timeoutMs),
    listUsers: () => [...core.store.users.values()].map(toView),
    findUserById: (id) => {
      const user = core.store.users.get(id);
      return user ? toView(user) : undefined;
    },
    pair: (id, pairOptions) => actions.pair(id, pairOptions),
    addUser: (user) => actions.addUser(user),
    injectMessage: (id, message) => actions.injectMessage(id, message),
    injectEvent: (id, type, event, extras) => actions.injectEvent(id, type, event, extras),
    setContacts: (id, contacts) => actions.setContacts(id, contacts),
    rotateQr: (id) => actions.rotateQr(id),
    setLatency: (ms, prefix) => faults.setLatency(ms, prefix),
    failNext: (prefix, rule) => faults.failNext(prefix, rule),
    setGarbage: (prefix, count) => faults.setGarbage(prefix, count),
    setStream: (prefix, rule) => faults.setStream(prefix, rule),
    setDown: (down) => {
      faults.state.down = down;
    },
    setSilent: (id, silent) => actions.setSilent(id, silent),
    setStatusFault: (id, fault) => actions.setStatusFault(id, fault),
    drop: (id, notify) => actions.drop(id, notify),
    configure: (changes) => Object.assign(config, pickConfig(changes)),
    reset() {
      stopSessions();
      void core.dispatcher.close();
      for (const key of Object.keys(config)) delete (config as Partial<SimulatorConfig>)[key as keyof SimulatorConfig];
      Object.assign(config, resolveConfig(options));
      core = createCore(config);
      actions = createActions(core);
      routes = providerRoutes(core);
      faults.reset();
      lifecycle.reset();
      requests.splice(0);
    },
  };
  return sim;
}

function createListener(onRequest: RequestListener, keepAliveMs: number) {
  const server = createServer(onRequest);
  server.keepAliveTimeout = keepAliveMs;
  let url = '';
  return {
    get url() {
      return url;
    },
    listen(port = 0, host = '127.0.0.1'): Promise<string> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${shownHost}:${address.port}`;
          resolve(url);
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Only known, defined settings can be changed at run time; the admin token stays fixed. */
function pickConfig(changes: Partial<SimulatorConfig>): Partial<SimulatorConfig> {
  const keys = [...Object.keys(DEFAULTS), 'globalWebhookUrl', 'globalHmacKey'];
  return Object.fromEntries(Object.entries(changes).filter(([key, value]) => keys.includes(key) && value !== undefined));
}
