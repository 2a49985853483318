// Reads a V8 CPU profile (`node --cpu-prof`) and prints where the process spent its own time:
// the top functions by self time, and the same time by area (our code per file, each package, Node).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
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

/** Self time in microseconds per key: each sample is charged the time until the next one. */
function selfTimes(profile: CpuProfile, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const key = keyOf(node);
    times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  return times;
}

const frameKey = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  return url ? `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
};

/** The report: shares of busy time (idle left out), the top `top` functions, then every area over 0.5 %. */
export function summariseProfile(file: string, top = 30): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = selfTimes(profile, frameKey);
  const idle = frames.get('(idle)') ?? 0;
  frames.delete('(idle)');
  const busy = [...frames.values()].reduce((a, b) => a + b, 0);
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const areas = selfTimes(profile, area);
  areas.delete('(idle)');
  return [
    `CPU profile ${file}: busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`,
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
