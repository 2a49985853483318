import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import * as events from './events.js';
import type { WebhookDispatcher } from './webhooks.js';
import type { SimUser, SimulatorConfig } from './types.js';

/**
 * The same PNG go-qrcode writes for the provider: 256×256, Medium error correction, 4-module quiet
 * zone (wmiau.go:513-516), as a `data:image/png;base64,` URL.
 */
export function qrDataUrl(pairing: string): Promise<string> {
  return QRCode.toDataURL(pairing, { errorCorrectionLevel: 'M', width: 256, margin: 4, type: 'image/png' });
}

/** whatsmeow pairing payload: ref, noise public key, identity public key, adv secret. */
function pairingString(): string {
  const b64 = (n: number): string => randomBytes(n).toString('base64');
  return `2@${b64(48)},${b64(32)},${b64(32)},${b64(32)}`;
}

interface QrDeps {
  config: SimulatorConfig;
  dispatcher: WebhookDispatcher;
}

/**
 * The QR channel of a fresh device: a new code overwrites `qrcode` and is pushed as a `QR` webhook;
 * after the last code the column is cleared, `QRTimeout` is emitted and the client is torn down, so
 * connect must be called again (contract §4 GET /session/qr).
 */
export function createQrFlow({ config, dispatcher }: QrDeps) {
  async function show(user: SimUser, n: number): Promise<void> {
    const client = user.session.client;
    if (!client || client.loggedIn) return;
    const pairing = pairingString();
    const dataUrl = await qrDataUrl(pairing);
    if (user.session.client !== client || client.loggedIn) return;
    user.session.qrPairing = pairing;
    user.session.qrShown = n;
    setQr(user, dataUrl);
    dispatcher.emit(user, events.qrCode(dataUrl), client.token);
    schedule(user, n === 1 ? config.qrFirstMs : config.qrRotateMs, () => {
      if (n >= config.qrCodes) timeout(user);
      else void show(user, n + 1);
    });
  }

  function timeout(user: SimUser): void {
    const client = user.session.client;
    if (!client || client.loggedIn) return;
    dispatcher.emit(user, events.qrTimeout(), client.token);
    setQr(user, '');
    user.session.qrPairing = '';
    user.session.client = null;
  }

  function schedule(user: SimUser, ms: number, run: () => void): void {
    stop(user);
    const timer = setTimeout(() => {
      user.session.qrTimer = null;
      run();
    }, ms);
    timer.unref();
    user.session.qrTimer = timer;
  }

  function stop(user: SimUser): void {
    if (user.session.qrTimer) clearTimeout(user.session.qrTimer);
    user.session.qrTimer = null;
  }

  /** Starts the flow; the first code appears asynchronously, so `QRCode` may be "" right after connect. */
  function start(user: SimUser): void {
    void show(user, 1);
  }

  /** Shows the next code now, as if the current one had expired. */
  async function rotate(user: SimUser): Promise<void> {
    stop(user);
    await show(user, user.session.qrShown + 1);
  }

  return { start, stop, rotate, setQr };
}

export type QrFlow = ReturnType<typeof createQrFlow>;

function setQr(user: SimUser, dataUrl: string): void {
  user.row.qrcode = dataUrl;
  if (user.cache) user.cache.qrcode = dataUrl;
}
