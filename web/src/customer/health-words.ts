import type { Health } from '../api/types';

/** What each health means for the person looking at it, and what to do (issue 16 §3): plain words only. */
export const HEALTH_WORDS: Record<Health, { label: string; meaning: string; todo: string | null }> = {
  healthy: { label: 'Healthy', meaning: 'Connected and receiving.', todo: null },
  disconnected: {
    label: 'Disconnected',
    meaning: 'The phone is still linked, but this session is not connected to WhatsApp: nothing is sent or received.',
    todo: 'Reconnect it.',
  },
  logged_out: {
    label: 'Not linked',
    meaning: 'No phone is linked to this session (it was logged out, or never linked).',
    todo: 'Link a phone by scanning a QR code.',
  },
  silent: {
    label: 'Silent',
    meaning: 'It says it is connected, but nothing has arrived from WhatsApp for hours. WhatsApp may have stopped delivering to it.',
    todo: 'Reconnect it. If messages still do not arrive, log out and scan the QR code again.',
  },
  unknown: {
    label: 'Not checked yet',
    meaning: 'The gateway has not confirmed this session with the WhatsApp service yet, or the service does not know it.',
    todo: 'Wait a few minutes. If it stays like this, delete the session and create it again.',
  },
};
