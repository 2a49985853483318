import type { Sleep } from '../lib/clock.js';
import { goField } from '../lib/json.js';
import type { OnError } from '../lib/logger.js';
import { typingDelayMs } from '../lib/typing.js';
import type { ProviderClient } from '../provider/client.js';
import type { SessionPrincipal } from './session-tokens.js';

const sent = () => undefined;

/**
 * SPEC §3: a text sent by a session with `typing_enabled` shows "composing" to its recipient for a
 * short, length-dependent, capped delay, then "paused" once it went out. The presence is cosmetic:
 * a failed one is reported, never fails the send.
 */
export function createTypingPresence(deps: { provider: Pick<ProviderClient, 'presence'>; sleep: Sleep; onError: OnError }) {
  function presence(token: string, phone: string, state: 'composing' | 'paused') {
    return deps.provider
      .presence(token, phone, state)
      .catch((error: unknown) => deps.onError(error, `typing presence "${state}" not shown`));
  }

  /**
   * Before a send of type `send`: "composing" and the delay when it is a text of a session with typing
   * on. Resolves with what to call once the text went out.
   */
  async function compose(session: SessionPrincipal, send: string | null, body: Buffer | null): Promise<() => void> {
    const typing = send === 'text' && session.typing_enabled ? readTyping(body) : null;
    if (!typing?.phone) return sent;
    const { phone } = typing;
    await presence(session.session_token, phone, 'composing');
    await deps.sleep(typingDelayMs(typing.text));
    return () => void presence(session.session_token, phone, 'paused');
  }

  return { compose };
}
export type TypingPresence = ReturnType<typeof createTypingPresence>;

/** A text send's body says whom the "composing" presence is for. */
function readTyping(body: Buffer | null): { phone: string | null; text: string } {
  try {
    const parsed = JSON.parse(body ? body.toString('utf8') : '') as Record<string, unknown>;
    const phone = goField(parsed, 'phone');
    const message = goField(parsed, 'body');
    return { phone: typeof phone === 'string' ? phone : null, text: typeof message === 'string' ? message : '' };
  } catch {
    return { phone: null, text: '' };
  }
}
