/** One Server-Sent Events message; a comment (the heartbeat) has only `comment`. */
export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    const match = /^(event|id|data|retry): ?(.*)$/.exec(line);
    if (match?.[1] === 'event') message.event = match[2];
    if (match?.[1] === 'id') message.id = match[2];
    if (match?.[1] === 'data') data.push(match[2] ?? '');
  }
  if (data.length > 0) message.data = data.join('\n');
  return message;
}

/**
 * An incremental reader of a `text/event-stream` body (WHATWG HTML §9.2): feed it text as it arrives,
 * it calls `onMessage` for every complete message. No DOM needed: the console and the tests share it.
 */
export function createSseParser(onMessage: (message: SseMessage) => void) {
  let buffer = '';
  return (text: string): void => {
    buffer += text.replace(/\r\n?/g, '\n');
    for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (block.trim() !== '') onMessage(parseBlock(block));
    }
  };
}
