import { num, obj, parseJid, str, strs } from './go-json.js';
import type { Decoded } from './go-json.js';
import { CONTEXT_INFO, base, checks, sentResponse } from './send-specs.js';
import type { SendSpec } from './send-specs.js';

const text: SendSpec = {
  ...base('/chat/send/text', ['Phone', 'Body'], 'text'),
  schema: { Phone: 'string', Body: 'string', LinkPreview: 'bool', Id: 'string', ContextInfo: CONTEXT_INFO, QuotedText: 'string' },
  historyText: (input) => str(input['Body']),
  message: (input) => ({
    extendedTextMessage: { text: str(input['Body']), matchedText: '', title: '', description: '' },
  }),
};

/** Latitude/Longitude of 0 count as missing: the handler tests the float against zero. */
const location: SendSpec = {
  ...base('/chat/send/location', ['Phone'], 'location'),
  schema: { Phone: 'string', Id: 'string', Name: 'string', Latitude: 'number', Longitude: 'number', ContextInfo: CONTEXT_INFO },
  validate: (input) => {
    if (!str(input['Phone'])) return 'missing Phone in Payload';
    if (num(input['Latitude']) === 0) return 'missing Latitude in Payload';
    if (num(input['Longitude']) === 0) return 'missing Longitude in Payload';
    return checks([])(input);
  },
  historyText: (input) => str(input['Name']),
  message: (input) => ({
    locationMessage: { degreesLatitude: num(input['Latitude']), degreesLongitude: num(input['Longitude']), name: str(input['Name']) },
  }),
};

const contact: SendSpec = {
  ...base('/chat/send/contact', ['Phone', 'Name', 'Vcard'], 'contact'),
  schema: { Phone: 'string', Id: 'string', Name: 'string', Vcard: 'string', ContextInfo: CONTEXT_INFO },
  historyText: (input) => str(input['Name']),
  message: (input) => ({ contactMessage: { displayName: str(input['Name']), vcard: str(input['Vcard']) } }),
};

/** Buttons parse Phone with parseJID only (no ContextInfo) and allow 1 to 3 buttons. */
const buttons: SendSpec = {
  ...base('/chat/send/buttons', [], 'buttons'),
  schema: { Phone: 'string', Title: 'string', Buttons: 'objects', Id: 'string' },
  historyType: null,
  validate: (input) => {
    if (!str(input['Phone'])) return 'missing Phone in Payload';
    if (!str(input['Title'])) return 'missing Title in Payload';
    const count = (input['Buttons'] as unknown[] | undefined)?.length ?? 0;
    if (count < 1) return 'missing Buttons in Payload';
    if (count > 3) return 'buttons cant more than 3';
    return parseJid(str(input['Phone'])) === null ? 'could not parse Phone' : null;
  },
  message: (input) => ({
    buttonsMessage: {
      contentText: str(input['Title']),
      headerType: 1,
      buttons: ((input['Buttons'] as Decoded[] | undefined) ?? []).map((b) => ({
        buttonID: str(obj(b)['ButtonId']),
        buttonText: { displayText: str(obj(b)['ButtonText']) },
        type: 1,
        nativeFlowInfo: {},
      })),
    },
  }),
};

/** List answers `Timestamp` as a Go time (RFC 3339 string), unlike every other send (handlers.go SendList). */
const list: SendSpec = {
  ...base('/chat/send/list', [], 'list'),
  schema: {
    Phone: 'string',
    ButtonText: 'string',
    Desc: 'string',
    TopText: 'string',
    Sections: 'objects',
    List: 'objects',
    FooterText: 'string',
    Id: 'string',
  },
  historyType: null,
  validate: (input) => {
    if (['Phone', 'ButtonText', 'Desc', 'TopText'].some((f) => !str(input[f]))) {
      return 'missing required fields: Phone, ButtonText, Desc, TopText';
    }
    const sections = (input['Sections'] as unknown[] | undefined)?.length ?? 0;
    if (sections === 0 && ((input['List'] as unknown[] | undefined)?.length ?? 0) === 0) return 'no section or list provided';
    return parseJid(str(input['Phone'])) === null ? 'could not parse Phone' : null;
  },
  response: (id, at) => ({ Details: 'Sent', Timestamp: at.toISOString(), Id: id }),
  message: (input) => ({
    viewOnceMessage: {
      message: {
        listMessage: {
          title: str(input['TopText']),
          description: str(input['Desc']),
          buttonText: str(input['ButtonText']),
          listType: 1,
          sections: input['Sections'] ?? [{ title: str(input['TopText']) || 'Menu', rows: input['List'] }],
        },
      },
    },
  }),
};

/** Poll uses lower-case json tags `group`, `header`, `options` and its own messages, typo included. */
const poll: SendSpec = {
  ...base('/chat/send/poll', [], 'poll'),
  schema: { group: 'string', header: 'string', options: 'strings', Id: 'string' },
  decodeError: 'could not decode payload',
  historyType: null,
  validate: (input) => {
    if (!str(input['group'])) return 'missing Grouop in payload';
    if (!str(input['header'])) return 'missing Header in payload';
    if (strs(input['options']).length < 2) return 'at least 2 options are required';
    return parseJid(str(input['group'])) === null ? 'could not parse Phone' : null;
  },
  failPrefix: 'failed to send poll: ',
  recipient: (input) => parseJid(str(input['group'])) ?? '',
  response: (id) => ({ Details: 'Poll sent successfully', Id: id }),
  message: (input) => ({
    pollCreationMessage: {
      name: str(input['header']),
      options: strs(input['options']).map((optionName) => ({ optionName })),
      selectableOptionsCount: 1,
    },
  }),
};

/** Edit needs the Id of the message to replace and fires no MessageSent webhook. */
const edit: SendSpec = {
  ...base('/chat/send/edit', ['Phone', 'Body'], null),
  schema: { Phone: 'string', Body: 'string', Id: 'string', ContextInfo: CONTEXT_INFO },
  validate: (input) => checks(['Phone', 'Body'])(input) ?? (str(input['Id']) ? null : 'missing Id in Payload'),
  failPrefix: 'error sending edit message: ',
  message: (input) => ({ editedMessage: { message: { conversation: str(input['Body']) } } }),
};

const react: SendSpec = {
  ...base('/chat/react', [], null),
  schema: { Phone: 'string', Body: 'string', Id: 'string', Participant: 'string' },
  validate: (input) => {
    const missing = ['Phone', 'Body'].find((f) => !str(input[f]));
    if (missing) return `missing ${missing} in Payload`;
    if (parseJid(str(input['Phone'])) === null) return 'could not parse Group JID';
    return str(input['Id']) ? null : 'missing Id in Payload';
  },
  message: (input) => ({ reactionMessage: { text: str(input['Body']) === 'remove' ? '' : str(input['Body']) } }),
};

const remove: SendSpec = {
  ...base('/chat/delete', [], null),
  schema: { Phone: 'string', Id: 'string' },
  validate: (input) => {
    const missing = ['Phone', 'Id'].find((f) => !str(input[f]));
    if (missing) return `missing ${missing} in Payload`;
    return parseJid(str(input['Phone'])) === null ? 'could not parse Phone' : null;
  },
  response: (id, at) => ({ ...sentResponse(id, at), Details: 'Deleted' }),
  message: () => ({ protocolMessage: { type: 0 } }),
};

export const textSpecs: SendSpec[] = [text, location, contact, buttons, list, poll, edit, react, remove];

/** The message id a handler answers with: react strips a `me:` prefix, the rest use Id or a new one. */
export function requestedId(spec: SendSpec, input: Decoded): string {
  const id = str(input['Id']);
  return spec.path === '/chat/react' && id.startsWith('me:') ? id.slice(3) : id;
}
