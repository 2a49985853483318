import type { App } from '../../src/app.js';
import { GLOBAL_KEY } from './app.js';

export interface SeedUser {
  user_id?: string;
  source?: string;
  expires_at?: string;
  max_sessions?: number;
  max_messages?: number;
  provider?: string;
}

let counter = 0;

/** Creates a user through the internal API, as a real caller would; returns its id and plaintext key. */
export async function seedUser(app: App, input: SeedUser = {}): Promise<{ userId: string; apiKey: string }> {
  counter += 1;
  const body = {
    user_id: `user_${counter}_${Date.now()}`,
    source: 'app',
    expires_at: '2030-01-01T00:00:00Z',
    max_sessions: 3,
    max_messages: 0,
    ...input,
  };
  const res = await app.inject({ method: 'POST', url: '/internal/users', headers: { 'x-internal-api-key': GLOBAL_KEY }, payload: body });
  if (res.statusCode !== 200) throw new Error(`seedUser failed: ${res.statusCode} ${res.body}`);
  return { userId: body.user_id, apiKey: res.json().api_key as string };
}
