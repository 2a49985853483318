/** `"Message, QR"` → `["Message","QR"]` (go-service-api B30 split without trimming). */
export const eventList = (events: string) =>
  events
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);

/** The Go service's default subscription when a create names no events (go-service-api §8.11). */
export const DEFAULT_EVENTS = 'Message,Connected,Disconnected,QR';
