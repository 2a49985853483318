import type { ComponentChildren } from 'preact';
import type { Health } from '../api/types';
import { Notice } from '../components/notice';
import { HEALTH_WORDS } from './health-words';

/** The session's health in plain words and what to do about it; nothing while it is healthy. */
export function HealthNote({ health, action }: { health: Health; action?: ComponentChildren }) {
  if (health === 'healthy') return null;
  const words = HEALTH_WORDS[health];
  return (
    <div class="health-note" data-health={health}>
      <Notice kind={health === 'unknown' ? 'info' : 'error'}>
        <strong>{words.label}.</strong> {words.meaning} {words.todo}
      </Notice>
      {action}
    </div>
  );
}
