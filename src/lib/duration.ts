const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type DurationList = { ok: true; values: number[] } | { ok: false; problem: string };

/** Parses `5s,30s,2m,1h` into milliseconds; every item needs a unit so that `5` is never ambiguous. */
export function parseDurationList(text: string): DurationList {
  const values: number[] = [];
  for (const item of text.split(',').map((s) => s.trim())) {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(item);
    if (!match) return { ok: false, problem: `"${item}" is not a duration like 30s, 2m or 1h` };
    values.push(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
  }
  return { ok: true, values };
}
