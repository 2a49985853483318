import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface GatewayProcess {
  url: string;
  /** The process id: memory is read from /proc/<pid>/status. */
  pid: number;
  /** Every log line (pino JSON) the process wrote so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
  /** Resident memory of the process now (VmRSS from /proc), in bytes: memory bounds are asserted from outside. */
  rssBytes(): number;
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** A free TCP port on loopback (released before use; the window is small enough for tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Variables of the developer's shell that would change what the process under test does.
const NEUTRAL = { DATABASE_URL: '', DB_HOST: '', DB_NAME: '', REDIS_URL: '', METRICS_TOKEN: '', TRUST_PROXY: '', GATEWAY_PUBLIC_URL: '' };

/** Parses the process's pino lines as they come, and wakes whoever waits for a new one. */
function collectLogs(stdout: NodeJS.ReadableStream) {
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const next = (ms: number) =>
    new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, ms);
    });
  return { logs, next };
}

/**
 * The real gateway process (`node --import tsx src/main.ts`), as an operator runs it, on a free port.
 * Resolves once it logs "gateway ready".
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, ...NEUTRAL, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { logs, next } = collectLogs(child.stdout);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      ended = true;
      resolve(code);
    }),
  );

  async function waitForLog(msg: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = logs.find((l) => l.msg === msg);
      if (found) return found;
      if (ended || Date.now() > deadline)
        throw new Error(`gateway never logged "${msg}"; stderr: ${stderr}\nlogs: ${JSON.stringify(logs.slice(-5))}`);
      await next(100);
    }
  }

  const gateway = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    logs,
    exited,
    signal: (s: NodeJS.Signals) => {
      child.kill(s);
    },
    rssBytes: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    waitForLog,
  };
  try {
    await waitForLog('gateway ready', 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return gateway;
}
