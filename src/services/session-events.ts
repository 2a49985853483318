/** `"Message, QR"` → `["Message","QR"]` (go-service-api B30 split without trimming). */
export const eventList = (events: string) =>
  events
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
