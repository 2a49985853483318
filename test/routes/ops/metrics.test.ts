import { beforeEach, describe, expect, it } from 'vitest';
import { TEST_JOBS } from '../../helpers/app.js';
import { createAppWithSimulator, fileAppWithSimulator } from '../../helpers/sim.js';
import { pairedSession, sendText } from '../gateway/helpers.js';

const t = fileAppWithSimulator({ jobs: [...TEST_JOBS, 'processMetrics'] });
beforeEach(() => {
  t.sim.reset();
});

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The text exposition format, read back into samples. */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [, name, rawLabels = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...rawLabels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: name!, labels, value: Number(value) };
    });
}

async function scrape(): Promise<Sample[]> {
  const res = await t.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return parse(res.body);
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

describe('GET /metrics', () => {
  it('answers the Prometheus text format without credentials when METRICS_TOKEN is unset', async () => {
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/# TYPE wa_gateway_http_requests_total counter/);
    expect(res.body).toMatch(/# TYPE process_cpu_user_seconds_total counter/);
  });

  it('counts requests by route pattern and status, never by raw URL', async () => {
    const raw = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4';
    await t.app.inject({ url: `/v1/sessions/${raw}/settings` });
    await t.app.inject({ url: `/no/such/${raw}` });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.body).not.toContain(raw);
    const samples = parse(res.body);
    expect(
      value(samples, 'wa_gateway_http_requests_total', { route: '/v1/sessions/:session_id/settings', status: '401', method: 'GET' }),
    ).toBe(1);
    expect(value(samples, 'wa_gateway_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(value(samples, 'wa_gateway_http_request_duration_seconds_count', { route: '/v1/sessions/:session_id/settings' })).toBe(1);
  });

  it('sends by type and outcome, quota rejections, provider latency and errors', async () => {
    const { token } = await pairedSession(t, { max_messages: 3 });
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token, {}, { Phone: '6281234567890' })).statusCode).toBe(400);
    t.sim.failNext('/chat/send/text', { status: 500 });
    expect((await sendText(t, token)).statusCode).toBe(500);
    t.sim.setDown(true);
    expect((await sendText(t, token)).statusCode).toBe(502);
    t.sim.setDown(false);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(200);
    expect((await sendText(t, token)).statusCode).toBe(429);
    const samples = await scrape();
    const sends = (outcome: string) => value(samples, 'wa_gateway_sends_total', { type: 'text', outcome });
    expect({ sent: sends('sent'), rejected: sends('rejected'), failed: sends('failed') }).toEqual({ sent: 3, rejected: 1, failed: 2 });
    expect(value(samples, 'wa_gateway_quota_rejections_total', { type: 'text' })).toBe(1);
    expect(value(samples, 'wa_gateway_provider_request_duration_seconds_count', { kind: 'forward', method: 'POST', status: '200' })).toBe(
      3,
    );
    expect(value(samples, 'wa_gateway_provider_request_duration_seconds_count', { kind: 'call' })).toBeGreaterThan(0);
    expect(value(samples, 'wa_gateway_provider_errors_total', { kind: 'forward', error: 'PROVIDER_UNAVAILABLE' })).toBe(1);
    expect(value(samples, 'wa_gateway_provider_errors_total', { kind: 'forward', error: 'PROVIDER_5XX' })).toBe(1);
  });

  it('store pool usage is read at scrape time', async () => {
    const samples = await scrape();
    expect(value(samples, 'wa_gateway_store_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.name === 'wa_gateway_store_pool_connections' && s.labels.state === 'waiting')).toBe(true);
  });

  it('exposes what the rate limiter and the webhook relay report through the typed functions', async () => {
    t.deps.metrics.rateLimitRejected('spam_block');
    t.deps.metrics.webhookDelivered('delivered');
    t.deps.metrics.webhookDelivered('delivered');
    t.deps.metrics.setWebhookQueueDepth(7);
    const samples = await scrape();
    expect(value(samples, 'wa_gateway_rate_limit_rejections_total', { reason: 'spam_block' })).toBe(1);
    expect(value(samples, 'wa_gateway_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'wa_gateway_webhook_queue_depth')).toBe(7);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('refuses a missing or wrong bearer token with 401 {message, code}; the right one passes', async () => {
    const own = await createAppWithSimulator({ env: { METRICS_TOKEN: 'metrics-secret-1' } });
    try {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong' },
        { authorization: 'metrics-secret-1' },
        { 'x-api-key': 'metrics-secret-1' },
        { authorization: 'Bearer metrics-secret-1x' },
      ]) {
        const res = await own.app.inject({ url: '/metrics', headers });
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(res.json()).toEqual({ message: 'a valid metrics token is required', code: 'METRICS_TOKEN_INVALID' });
      }
      const ok = await own.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-secret-1' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('wa_gateway_http_requests_total');
      expect((await own.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await own.close();
    }
  });
});
