import { useState } from 'preact/hooks';
import { BASE, navigate } from '../lib/router';
import type { Role } from '../lib/storage';
import { useAction } from '../lib/use-async';
import { Field } from './field';
import { OutcomeNotice } from './notice';
import { TopBar } from './top-bar';

interface Props {
  /** Which console is signing in (not an ARIA role). */
  audience: Role;
  /** Checks the key against the gateway; throws the gateway's error when it is refused. */
  verify: (key: string) => Promise<void>;
  onSignedIn: (key: string) => void;
  reason?: string | null;
}

const TEXT = {
  customer: {
    area: 'Customer console',
    title: 'Sign in with your API key',
    label: 'API key',
    intro: 'Link WhatsApp numbers, follow their state, and manage webhooks and contacts.',
    hint: 'The key your provider gave you. It stays in this tab only and is forgotten when you close it.',
    other: 'Operator sign-in',
    otherPath: '/operator',
  },
  operator: {
    area: 'Operator console',
    title: 'Sign in with an internal key',
    label: 'Internal API key',
    intro: 'Manage customers, their subscriptions and their API keys.',
    hint: 'A key from INTERNAL_API_KEYS. It stays in this tab only and is forgotten when you close it.',
    other: 'Customer sign-in',
    otherPath: '/',
  },
};

export function SignIn({ audience, verify, onSignedIn, reason }: Props) {
  const text = TEXT[audience];
  const [key, setKey] = useState('');
  const { busy, outcome, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    void run(async () => {
      await verify(trimmed);
      onSignedIn(trimmed);
    });
  };
  return (
    <div class="page page-narrow">
      <TopBar area={text.area} />
      <main class="sign-in card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{text.title}</h1>
        <p class="muted">{text.intro}</p>
        {reason && !outcome && (
          <p class="notice notice-info" role="status">
            {reason}
          </p>
        )}
        <OutcomeNotice outcome={outcome} />
        <form onSubmit={submit} autoComplete="off">
          <Field label={text.label} type="password" value={key} onInput={setKey} hint={text.hint} required name="key" />
          <button type="submit" class="button button-primary button-block" disabled={busy || !key.trim()}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
        <p class="switch-role">
          <a
            href={BASE + text.otherPath}
            onClick={(e) => {
              e.preventDefault();
              navigate(text.otherPath);
            }}
          >
            {text.other}
          </a>
        </p>
      </main>
    </div>
  );
}
