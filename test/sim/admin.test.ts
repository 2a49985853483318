import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSimulator } from '../../sim/provider-simulator.js';
import { ADMIN, admin, call, createUser, startSim, user } from './helpers.js';

let sim: ProviderSimulator;

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

describe('admin auth (contract §1)', () => {
  it('accepts the raw token and refuses Bearer or a missing header with the envelope', async () => {
    expect((await admin(sim.url, 'GET', '/admin/users')).status).toBe(200);
    const bearer = await call(sim.url, 'GET', '/admin/users', { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(bearer.status).toBe(401);
    expect(bearer.json).toEqual({ code: 401, error: 'unauthorized', success: false });
    expect(bearer.headers['content-type']).toBe('application/json');
    const missing = await call(sim.url, 'GET', '/admin/users');
    expect(missing.status).toBe(401);
  });
});

describe('admin users lifecycle', () => {
  it('creates with 201, a 32-hex id, the echoed fields and hmac_key as a boolean', async () => {
    const reply = await admin(sim.url, 'POST', '/admin/users', {
      name: 'acme-1',
      token: 'tok-create',
      webhook: 'http://example.test/h',
      events: 'Message,QR',
      hmacKey: 'k'.repeat(32),
      history: 5,
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json.code).toBe(201);
    expect(reply.json.success).toBe(true);
    expect(reply.json.data.id).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.json.data).toMatchObject({
      name: 'acme-1',
      token: 'tok-create',
      webhook: 'http://example.test/h',
      events: 'Message,QR',
      expiration: 0,
      hmac_key: true,
      proxy_config: { enabled: false, proxy_url: '' },
    });
    expect(reply.json.data.s3_config.access_key).toBe('***');
    expect(reply.json.data).not.toHaveProperty('history');
  });

  it('matches JSON keys ignoring case, as Go encoding/json does', async () => {
    const reply = await admin(sim.url, 'POST', '/admin/users', { NAME: 'upper', Token: 'tok-case', EVENTS: 'Message' });
    expect(reply.status).toBe(201);
    expect(reply.json.data).toMatchObject({ name: 'upper', token: 'tok-case', events: 'Message' });
  });

  it('lists all users, and GET by id answers an array ([] with 200 when unknown)', async () => {
    const { id } = await createUser(sim.url, { name: 'listed' });
    const all = await admin(sim.url, 'GET', '/admin/users');
    expect(all.json.data.some((u: { id: string }) => u.id === id)).toBe(true);
    const one = await admin(sim.url, 'GET', `/admin/users/${id}`);
    expect(one.json.data).toHaveLength(1);
    expect(one.json.data[0]).toMatchObject({ id, name: 'listed', connected: false, loggedIn: false, jid: '', qrcode: '' });
    expect(one.json.data[0]).not.toHaveProperty('history');
    const unknown = await admin(sim.url, 'GET', `/admin/users/${'0'.repeat(32)}`);
    expect(unknown.status).toBe(200);
    expect(unknown.json).toEqual({ code: 200, data: [], success: true });
  });

  it('updates only non-empty fields and answers a message, not data', async () => {
    const { id } = await createUser(sim.url, { name: 'before', webhook: 'http://a.test' });
    const reply = await admin(sim.url, 'PUT', `/admin/users/${id}`, { name: 'after', webhook: '' });
    expect(reply.json).toEqual({ code: 200, message: 'user updated successfully', success: true });
    const [row] = (await admin(sim.url, 'GET', `/admin/users/${id}`)).json.data;
    expect(row).toMatchObject({ name: 'after', webhook: 'http://a.test' });
    expect((await admin(sim.url, 'PUT', `/admin/users/${id}`, { name: '' })).json.error).toBe('no fields to update');
    expect((await admin(sim.url, 'PUT', `/admin/users/${'f'.repeat(32)}`, { name: 'x' })).status).toBe(404);
  });

  it('deletes the row only: a token already cached keeps authenticating (contract §2)', async () => {
    const { id, token } = await createUser(sim.url);
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(200);
    const reply = await admin(sim.url, 'DELETE', `/admin/users/${id}`);
    expect(reply.json).toEqual({ code: 200, data: { id }, details: 'user deleted successfully', success: true });
    expect((await admin(sim.url, 'GET', `/admin/users/${id}`)).json.data).toEqual([]);
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(200);
    const again = await admin(sim.url, 'DELETE', `/admin/users/${id}`);
    expect(again.status).toBe(404);
    expect(again.json.details).toBe(`No user found with ID: ${id}`);
  });

  it('full delete logs out, evicts the token and returns id, name, jid', async () => {
    const { id, token } = await createUser(sim.url, { name: 'gone' });
    await user(sim.url, token, 'POST', '/session/connect', { Immediate: true });
    const { jid } = sim.pair(id, { phone: '628555' });
    const reply = await admin(sim.url, 'DELETE', `/admin/users/${id}/full`);
    expect(reply.json).toEqual({ code: 200, data: { id, name: 'gone', jid }, details: 'user instance removed completely', success: true });
    expect((await user(sim.url, token, 'GET', '/session/status')).status).toBe(401);
    expect(sim.findUserById(id)).toBeUndefined();
    expect((await admin(sim.url, 'DELETE', `/admin/users/${id}/full`)).status).toBe(404);
  });
});

describe('admin validation', () => {
  it('refuses events given as an array with 400 invalid request payload', async () => {
    const reply = await admin(sim.url, 'POST', '/admin/users', { name: 'x', token: 'arr', events: ['Message'] });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ code: 400, error: 'invalid request payload', success: false });
  });

  it('names the first unknown event', async () => {
    const reply = await admin(sim.url, 'POST', '/admin/users', { token: 'bad-ev', events: 'Message, Nope ,QR' });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ code: 400, details: 'invalid event: Nope', error: 'invalid event type', success: false });
  });

  it('answers 409 for a duplicate token and 400 for a short HMAC key', async () => {
    await createUser(sim.url, { token: 'dup' });
    const dup = await admin(sim.url, 'POST', '/admin/users', { token: 'dup' });
    expect(dup.status).toBe(409);
    expect(dup.json.error).toBe('user with this token already exists');
    const short = await admin(sim.url, 'POST', '/admin/users', { token: 'short', hmacKey: 'x'.repeat(31) });
    expect(short.status).toBe(400);
    expect(short.json.error).toBe('HMAC key must be at least 32 characters long');
  });

  it('answers invalid JSON and wrong types with 400', async () => {
    expect((await admin(sim.url, 'POST', '/admin/users', '{not json')).status).toBe(400);
    expect((await admin(sim.url, 'POST', '/admin/users', { token: 'n', expiration: 'soon' })).status).toBe(400);
  });
});
