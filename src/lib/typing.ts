/**
 * How long "composing" shows before a text goes out when a session has typing enabled (SPEC §3):
 * a short base plus a little per character, capped so a long text never holds a send for long.
 */
export function typingDelayMs(text: string, limits = { baseMs: 400, perCharMs: 25, maxMs: 3_000 }): number {
  const length = [...text].length;
  return Math.min(limits.maxMs, limits.baseMs + length * limits.perCharMs);
}
