/**
 * Server-Sent Events framing (WHATWG HTML §9.2): `event:`, `id:` and one `data:` line per line of the
 * data, then a blank line. A field value never carries a line break (it would end the field early):
 * names and ids are stripped of them, and data is split on them.
 */
export interface SseEvent {
  event?: string;
  id?: string;
  data: string;
}

const oneLine = (value: string) => value.replace(/[\r\n]/g, '');

export function sseFrame(e: SseEvent): string {
  const lines: string[] = [];
  if (e.event) lines.push(`event: ${oneLine(e.event)}`);
  if (e.id !== undefined) lines.push(`id: ${oneLine(e.id)}`);
  for (const line of e.data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

/** A comment line: ignored by clients, it keeps proxies from closing an idle stream (the heartbeat). */
export const sseComment = (text: string) => `: ${oneLine(text)}\n\n`;

/** How long a client waits before reconnecting after the stream ends (a restart, a drain). */
export const sseRetry = (ms: number) => `retry: ${Math.max(0, Math.round(ms))}\n\n`;
