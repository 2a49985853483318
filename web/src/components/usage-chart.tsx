import { useEffect, useRef, useState } from 'preact/hooks';
import type { UsageDay } from '../api/types';
import { formatCount } from '../lib/format';

const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 52 };

/** A round top for the y axis (a few steps per power of ten, halves round too), at least the largest value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

/** `2026-06-01` → `1 Jun`; the date is a calendar day, shown as it is whatever the browser's zone. */
export const shortDay = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** The chart's width follows its box, so text stays its real size on a phone and on a wide screen. */
function useWidth(fallback: number) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.floor(entry!.contentRect.width))));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { box, width };
}

interface Scale {
  y: (v: number) => number;
  slot: number;
  bar: number;
}

/** One day: sent with failed on top, received beside them, its figures on hover, and its date on the axis when `edge`. */
function DayBars({ d, i, count, s }: { d: UsageDay; i: number; count: number; s: Scale }) {
  const x = PAD.left + i * s.slot + 1;
  const { y, bar } = s;
  const labelled = i === 0 || i === count - 1 || i === Math.floor((count - 1) / 2);
  return (
    <g data-date={d.date}>
      <title>{`${shortDay(d.date)}: ${formatCount(d.sent)} sent, ${formatCount(d.failed)} failed, ${formatCount(d.received)} received`}</title>
      <rect class="bar-sent" x={x} y={y(d.sent)} width={bar} height={y(0) - y(d.sent)} />
      <rect class="bar-failed" x={x} y={y(d.sent + d.failed)} width={bar} height={y(d.sent) - y(d.sent + d.failed)} />
      <rect class="bar-received" x={x + bar} y={y(d.received)} width={bar} height={y(0) - y(d.received)} />
      {labelled && (
        <text class="chart-day" x={x + bar} y={HEIGHT - 8} text-anchor={i === 0 ? 'start' : i === count - 1 ? 'end' : 'middle'}>
          {shortDay(d.date)}
        </text>
      )}
    </g>
  );
}

/** The same figures as a table, in a disclosure: a phone has no hover, and screen readers read tables. */
function DayFigures({ days, label }: { days: UsageDay[]; label: string }) {
  return (
    <details class="chart-figures">
      <summary>Figures by day</summary>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Sent</th>
              <th scope="col">Failed</th>
              <th scope="col">Received</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}>
                <th scope="row">{d.date}</th>
                <td>{formatCount(d.sent)}</td>
                <td>{formatCount(d.failed)}</td>
                <td>{formatCount(d.received)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Messages per day in plain SVG (no library, nothing inline the CSP would refuse): sent with failed
 * on top, and received beside them. Each day names its figures on hover, and a disclosure under the
 * chart holds them as a table (for a phone, which has no hover, and for screen readers). Colours
 * come from the stylesheet (`.bar-sent` …).
 */
export function UsageChart({ days, label }: { days: UsageDay[]; label: string }) {
  const { box, width } = useWidth(640);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = niceMax(Math.max(0, ...days.map((d) => Math.max(d.sent + d.failed, d.received))));
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const slot = (width - PAD.left - PAD.right) / Math.max(1, days.length);
  const scale: Scale = { y, slot, bar: Math.max(1, (slot - 2) / 2) };
  return (
    <figure class="chart">
      <div class="chart-box" ref={box}>
        <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={label}>
          {[0, top / 2, top].map((v) => (
            <g key={v} class="chart-grid">
              <line x1={PAD.left} x2={width - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
                {formatCount(v)}
              </text>
            </g>
          ))}
          {days.map((d, i) => (
            <DayBars key={d.date} d={d} i={i} count={days.length} s={scale} />
          ))}
        </svg>
      </div>
      <figcaption class="chart-legend">
        <span class="key key-sent">Sent</span>
        <span class="key key-failed">Failed</span>
        <span class="key key-received">Received</span>
      </figcaption>
      <DayFigures days={days} label={label} />
    </figure>
  );
}
