/**
 * Relay mode (SPEC §6, issue 5): with GATEWAY_PUBLIC_URL set, genfity-wa posts every session's
 * events to the gateway, which relays them to the customer. Without it the gateway behaves as the
 * Go service did: the customer's webhook_url is given to the provider directly.
 */
export interface RelayConfig {
  /** Base URL at which the provider reaches the gateway; null when relay mode is off. */
  publicUrl: string | null;
}

/** Events the gateway itself needs: auto-read and connection state (SPEC §6). */
export const RELAY_EVENTS = ['Message', 'Connected', 'Disconnected', 'LoggedOut', 'PairSuccess', 'QR'];

/** The relay URL without the relay id: where every session's address begins. */
export const relayUrlPrefix = (relay: RelayConfig) => `${relay.publicUrl!.replace(/\/+$/, '')}/webhook/wa/s/`;
export const relayUrl = (relay: RelayConfig, relayId: string) => `${relayUrlPrefix(relay)}${relayId}`;

/**
 * A new relay for a session: the id of its address and the key genfity-wa signs its posts with
 * (at least 32 characters, contract §2). The key only signs once set through the session route
 * (`POST /session/hmac/config`, contract §7).
 */
export function newRelay(random: { bytes(size: number): Buffer }) {
  return { id: random.bytes(16).toString('hex'), key: random.bytes(32).toString('hex') };
}

/** Events the gateway makes itself (SPEC §10): a customer may subscribe to them, genfity-wa would refuse their names. */
export const GATEWAY_EVENTS = ['SessionHealth'];

/** What the provider must send: what the customer asked for (minus the gateway's own events) plus what the gateway needs. */
export function providerEvents(customerEvents: string[], relay: RelayConfig): string[] {
  const own = customerEvents.filter((e) => !GATEWAY_EVENTS.includes(e));
  if (!relay.publicUrl || own.includes('All')) return own;
  return [...new Set([...own, ...RELAY_EVENTS])];
}

/**
 * Whether a session gets `SessionHealth` deliveries (SPEC §10): when its list asks for connection news —
 * `SessionHealth` itself, `All`, or a connection event (`Connected`, `Disconnected`, `LoggedOut`; the
 * default list has them). A receiver that asked for messages only is not sent events it never named.
 */
export function wantsHealthEvents(customerEvents: string | null): boolean {
  return ['SessionHealth', 'Connected', 'Disconnected', 'LoggedOut'].some((type) => wantsEvent(customerEvents, type));
}

/** Whether the customer subscribed to an event type (their list, not the widened provider one). */
export function wantsEvent(customerEvents: string | null, type: string): boolean {
  const list = (customerEvents ?? '').split(',').map((e) => e.trim());
  return list.includes('All') || list.includes(type);
}
