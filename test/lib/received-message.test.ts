import { describe, expect, it } from 'vitest';
import { receivedMessageType } from '../../src/lib/received-message.js';

const message = (info: Record<string, unknown>) => ({ type: 'Message', event: { Info: info, Message: { conversation: 'halo' } } });

describe('which provider events are received messages (usage history, SPEC §10)', () => {
  it.each([
    ['an incoming text', message({ Chat: '628@s.whatsapp.net', IsFromMe: false, Type: 'text' }), 'text'],
    ['an incoming media message', message({ Chat: '628@s.whatsapp.net', IsFromMe: false, Type: 'media' }), 'media'],
    ['a type in capitals', message({ Chat: '628@s.whatsapp.net', Type: 'Text' }), 'text'],
    ['no type', message({ Chat: '628@s.whatsapp.net' }), 'other'],
    ['a hostile type', message({ Chat: '628@s.whatsapp.net', Type: '<script>'.repeat(20) }), 'other'],
    ["the session's own message", message({ Chat: '628@s.whatsapp.net', IsFromMe: true, Type: 'text' }), null],
    ['a status broadcast', message({ Chat: 'status@broadcast', Type: 'media' }), null],
    ['a message event without Info', { type: 'Message', event: {} }, null],
    ['a send confirmation', { type: 'MessageSent', event: { Info: { IsFromMe: true } } }, null],
    ['a receipt', { type: 'ReadReceipt', event: { Info: {} } }, null],
  ])('%s → %s', (_name, event, expected) => {
    expect(receivedMessageType(event)).toBe(expected);
  });
});
