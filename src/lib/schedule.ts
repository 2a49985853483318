/**
 * The tick of a cron pattern: one second when it has a seconds field (six fields), else one minute.
 * Periodic jobs record the tick they ran for, so each tick runs once across all instances.
 */
export function tickMsOf(pattern: string): number {
  return pattern.trim().split(/\s+/).length >= 6 ? 1_000 : 60_000;
}
