import { ApiError, call } from './client';
import type { LinkState } from './types';

type Envelope = { data?: Record<string, unknown> };

const pick = (data: Record<string, unknown>, ...keys: string[]) => keys.map((k) => data[k]).find((v) => v !== undefined);

/**
 * Session actions through the token gateway (`/v1/wa/session/*`) with the session's own token,
 * exactly as a customer's integration would call them.
 */
export function linkApi(token: string) {
  const headers = { token };
  return {
    async status(): Promise<LinkState> {
      const data = (await call<Envelope>('GET', '/v1/wa/session/status', { headers })).data ?? {};
      return {
        connected: pick(data, 'connected', 'Connected') === true,
        loggedIn: pick(data, 'loggedIn', 'LoggedIn') === true,
        jid: String(pick(data, 'jid', 'Jid', 'JID') ?? ''),
        events: String(pick(data, 'events', 'Events') ?? ''),
      };
    },
    /** Starts the client; "already connected" is the state we wanted, so it is not an error here. */
    async connect(subscribe: string[]): Promise<void> {
      try {
        await call('POST', '/v1/wa/session/connect', { headers, body: { Subscribe: subscribe, Immediate: true } });
      } catch (error) {
        if (!(error instanceof ApiError && error.detail === 'already connected')) throw error;
      }
    },
    /** The current QR code as a data URL; "" while the provider is still preparing one. */
    qr: async () => String((await call<Envelope>('GET', '/v1/wa/session/qr', { headers })).data?.QRCode ?? ''),
    pairPhone: async (phone: string) =>
      String((await call<Envelope>('POST', '/v1/wa/session/pairphone', { headers, body: { Phone: phone } })).data?.LinkingCode ?? ''),
    disconnect: () => call('POST', '/v1/wa/session/disconnect', { headers, body: {} }),
    logout: () => call('POST', '/v1/wa/session/logout', { headers, body: {} }),
  };
}
export type LinkApi = ReturnType<typeof linkApi>;
