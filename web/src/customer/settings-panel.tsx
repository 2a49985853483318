import { useEffect, useState } from 'preact/hooks';
import type { Settings } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { useCustomer } from './context';
import { MessageStats } from './message-stats';
import { SettingsForm } from './settings-form';

/** Settings and statistics come from the same `GET …/settings`, so they load together. */
export function SettingsPanel({ sessionId }: { sessionId: string }) {
  const { api } = useCustomer();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.settings(sessionId).then(setSettings, (e: Error) => setError(e.message));
  }, [api, sessionId]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!settings) return <Spinner label="Loading settings…" />;
  return (
    <div class="panel-grid">
      <SettingsForm sessionId={sessionId} settings={settings} onSaved={setSettings} />
      <MessageStats stats={settings.message_stats} />
    </div>
  );
}
