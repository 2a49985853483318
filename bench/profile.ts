// Reads a V8 CPU profile (`node --cpu-prof`) and prints where the process spent its own time:
// the top functions by self time, and the same time by area (our code per file, each package, Node).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = `file://${process.cwd()}/`;

/** `dist/src/services/gateway.js`, `undici`, `node:internal/…`, or a pseudo-frame such as `(garbage collector)`. */
function shortUrl(url: string): string {
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
}

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  return shortUrl(url);
}

/**
 * Self time in microseconds per key: each sample is charged the time until the next one. Samples
 * before `from` (µs, CLOCK_MONOTONIC like V8's own timestamps) are left out: start-up is not the send path.
 */
function selfTimes(profile: CpuProfile, keyOf: (n: ProfileNode) => string, from: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (!node || at < from) continue;
    const key = keyOf(node);
    times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  return times;
}

const frameKey = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return url ? `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
};

/**
 * The report: shares of busy time (idle left out), the top `top` functions, then every area over 0.5 %.
 * `from`: only samples taken after this moment (`process.hrtime.bigint()` in µs), e.g. once the load began.
 */
export function summariseProfile(file: string, top = 30, from = 0): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = selfTimes(profile, frameKey, from);
  const idle = frames.get('(idle)') ?? 0;
  frames.delete('(idle)');
  const busy = [...frames.values()].reduce((a, b) => a + b, 0);
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const areas = selfTimes(profile, area, from);
  areas.delete('(idle)');
  return [
    `CPU profile ${file}${from ? ' (from the first warm-up on)' : ''}: busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`,
    `top ${top} functions by self time (share of busy time):`,
    ...sorted(frames)
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
    'self time by area:',
    ...sorted(areas)
      .filter(([, us]) => us / busy >= 0.005)
      .map(([k, us]) => `  ${pct(us)}  ${k}`),
  ].join('\n');
}
