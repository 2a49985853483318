import { useState } from 'preact/hooks';
import { isMissingFeature } from '../api/client';
import type { Settings, SettingsInput, WebhookFormat } from '../api/types';
import { Field, SelectField, Toggle } from '../components/field';
import { OutcomeNotice } from '../components/notice';
import { useAction } from '../lib/use-async';
import { useCustomer } from './context';

interface Props {
  sessionId: string;
  settings: Settings;
  onSaved: (settings: Settings) => void;
}

/** Only what changed is sent: an untouched webhook URL does not make a provider call. */
function changes(
  before: Settings,
  form: { url: string; secret: string; clearSecret: boolean; format: WebhookFormat; autoRead: boolean; typing: boolean },
): SettingsInput {
  const body: SettingsInput = {};
  if (form.url.trim() !== before.webhook_url) body.webhook_url = form.url.trim();
  if (form.format !== before.webhook_format) body.webhook_format = form.format;
  if (form.secret) body.webhook_secret = form.secret;
  else if (form.clearSecret) body.webhook_secret = '';
  if (form.autoRead !== before.auto_read_enabled) body.auto_read_enabled = form.autoRead;
  if (form.typing !== before.typing_enabled) body.typing_enabled = form.typing;
  return body;
}

export function SettingsForm({ sessionId, settings, onSaved }: Props) {
  const { api } = useCustomer();
  const initial = {
    url: settings.webhook_url,
    secret: '',
    clearSecret: false,
    format: settings.webhook_format,
    autoRead: settings.auto_read_enabled,
    typing: settings.typing_enabled,
  };
  const [form, setForm] = useState(initial);
  const save = useAction();
  const set = (patch: Partial<typeof initial>) => setForm((f) => ({ ...f, ...patch }));
  const body = changes(settings, form);
  const submit = (event: Event) => {
    event.preventDefault();
    void save.run(async () => {
      const saved = await api.saveSettings(sessionId, body);
      onSaved(saved);
      setForm({ ...form, url: saved.webhook_url, secret: '', clearSecret: false });
      return 'Settings saved.';
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <Toggle
        label="Mark incoming messages as read"
        checked={form.autoRead}
        onChange={(autoRead) => set({ autoRead })}
        hint="The sender sees blue ticks as soon as a message arrives."
      />
      <Toggle
        label="Show “typing…” before each reply"
        checked={form.typing}
        onChange={(typing) => set({ typing })}
        hint="Sends look more natural; each one waits a moment first."
      />
      <Field
        label="Webhook URL"
        type="url"
        inputMode="url"
        value={form.url}
        onInput={(url) => set({ url })}
        placeholder="https://example.com/whatsapp"
        hint="Incoming messages and events are posted here. Leave empty for none."
      />
      <Field
        label="Webhook secret"
        type="password"
        value={form.secret}
        onInput={(secret) => set({ secret })}
        autoComplete="new-password"
        placeholder={settings.webhook_secret_set ? 'A secret is set; type to replace it' : 'No secret set'}
        hint="Signs every delivery (HMAC-SHA256) so your server can check it. It is never shown again."
      />
      {settings.webhook_secret_set && !form.secret && (
        <Toggle label="Remove the secret" checked={form.clearSecret} onChange={(clearSecret) => set({ clearSecret })} />
      )}
      <SelectField<WebhookFormat>
        label="Webhook format"
        value={form.format}
        onChange={(format) => set({ format })}
        options={[
          { value: 'provider', label: 'As genfity-wa sends it' },
          { value: 'envelope', label: 'Gateway envelope (JSON)' },
        ]}
        hint="“As genfity-wa sends it” keeps a receiver written for genfity-wa working unchanged. The envelope wraps each event in JSON with an id and a timestamp."
      />
      <OutcomeNotice outcome={save.outcome} />
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={save.busy || Object.keys(body).length === 0}>
          {save.busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
      <TestEvent sessionId={sessionId} hasWebhook={Boolean(settings.webhook_url)} />
    </form>
  );
}

/** Queues a test delivery to the saved webhook; the route is newer than the rest, so a 404 is explained. */
function TestEvent({ sessionId, hasWebhook }: { sessionId: string; hasWebhook: boolean }) {
  const { api } = useCustomer();
  const test = useAction();
  const send = () =>
    test.run(async () => {
      try {
        const { delivery } = await api.testWebhook(sessionId);
        return `Test event queued (delivery ${delivery.id}). Follow it under “Webhook deliveries”.`;
      } catch (error) {
        if (!isMissingFeature(error)) throw error;
        test.setOutcome({ kind: 'info', text: 'Test events are not available on this gateway yet.' });
      }
    });
  return (
    <div class="test-event">
      <p class="muted small">
        {hasWebhook ? 'Check your endpoint: send it a signed test event now.' : 'Save a webhook URL to send a test event.'}
      </p>
      <OutcomeNotice outcome={test.outcome} />
      <button type="button" class="button button-secondary" disabled={test.busy || !hasWebhook} onClick={send}>
        {test.busy ? 'Sending…' : 'Send test event'}
      </button>
    </div>
  );
}
