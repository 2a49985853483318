import type { LogEntry } from './event-log-entry';
import type { SessionStream } from './use-session-stream';

const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The session's live events as they arrive: the last 100, newest first, as plain text (issue 16 §5). */
export function EventLog({ stream }: { stream: Pick<SessionStream, 'status' | 'log'> }) {
  return (
    <section class="card" aria-labelledby="event-log-title">
      <div class="section-head">
        <h2 id="event-log-title">Live events</h2>
        <span class="small muted" role="status">
          {stream.status === 'live'
            ? 'Following live.'
            : stream.status === 'off'
              ? 'Not live: too many live views are open, or the stream was refused. Close another tab and reload.'
              : 'Connecting…'}
        </span>
      </div>
      {stream.log.length === 0 ? (
        <p class="muted">
          Nothing yet. State changes appear here; in relay mode, so does every event the session subscribed to (last 100, newest first).
        </p>
      ) : (
        <ol class="event-log" aria-label="Live events, newest first">
          {stream.log.map((e: LogEntry) => (
            <li key={e.key}>
              <span class="mono small muted">{time(e.at)}</span> <span class="event-type">{e.type}</span>{' '}
              <span class="event-text">{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
