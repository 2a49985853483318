/** `628111222333:12@s.whatsapp.net` → `+628111222333`; empty when there is no number. */
export function phoneFromJid(jid: string): string {
  const user = jid.split('@')[0]?.split(':')[0] ?? '';
  return /^\d{6,}$/.test(user) ? `+${user}` : user;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export const formatCount = (n: number) => n.toLocaleString();

/** A date input's `YYYY-MM-DD` as the end of that day in UTC, which is what a subscription end means. */
export const endOfDay = (day: string) => `${day}T23:59:59Z`;

/** `YYYY-MM-DD` `days` after `from` (or after today when `from` has passed). */
export function dayAfter(days: number, from?: string | null): string {
  const start = from && new Date(from).getTime() > Date.now() ? new Date(from) : new Date();
  return new Date(start.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Only the image kinds the provider sends become an `<img src>`; anything else is dropped. */
export const isImageDataUrl = (value: string) => /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(value);
