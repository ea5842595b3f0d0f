import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Latency } from 'toxiproxy-node-client';
import { openTarget, request, uniqueName, type ApiTarget } from './helpers.js';

let target: ApiTarget;
let client: Toxiproxy;
// Proxies upstream to a closed port: these tests never send data through them.
const UPSTREAM = '127.0.0.1:9';

beforeAll(async () => {
  target = await openTarget();
  client = new Toxiproxy(target.url);
});

afterAll(async () => {
  await target.close();
});

function toxicBody(fields: Record<string, unknown>): ICreateToxicBody<unknown> {
  return fields as unknown as ICreateToxicBody<unknown>;
}

async function createProxy(prefix: string) {
  return client.createProxy({ name: uniqueName(prefix), listen: '127.0.0.1:0', upstream: UPSTREAM });
}

/** Checks the real server's error reply: JSON body, text/plain type, trailing newline. */
async function expectError(method: string, path: string, body: string | undefined, status: number, message: string | RegExp): Promise<void> {
  const reply = await request(`${target.url}${path}`, method, body);
  expect(reply.status).toBe(status);
  expect(reply.contentType).toBe('text/plain; charset=utf-8');
  expect(reply.text.endsWith('\n')).toBe(true);
  const parsed = JSON.parse(reply.text) as { error: string; status: number };
  expect(parsed.status).toBe(status);
  if (typeof message === 'string') expect(parsed.error).toBe(message);
  else expect(parsed.error).toMatch(message);
}

describe('version', () => {
  test('GET /version reports 2.12.0', async () => {
    const reply = await request(`${target.url}/version`, 'GET');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ version: '2.12.0' });
    expect(await client.getVersion()).toBe(reply.text);
  });
});

describe('browser guard', () => {
  test('Mozilla user agent gets 403', async () => {
    const reply = await request(`${target.url}/proxies`, 'GET', undefined, { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(reply.status).toBe(403);
    expect(reply.text).toBe('User agent not allowed\n');
  });
});

describe('proxy routes', () => {
  test('create returns 201 with defaults', async () => {
    const name = uniqueName('create');
    const reply = await request(`${target.url}/proxies`, 'POST', JSON.stringify({ name, listen: '127.0.0.1:0', upstream: UPSTREAM }));
    expect(reply.status).toBe(201);
    expect(reply.contentType).toBe('application/json');
    const proxy = JSON.parse(reply.text);
    expect(Object.keys(proxy)).toEqual(['name', 'listen', 'upstream', 'enabled', 'toxics']);
    expect(proxy.name).toBe(name);
    expect(proxy.upstream).toBe(UPSTREAM);
    expect(proxy.enabled).toBe(true);
    expect(proxy.toxics).toEqual([]);
    // Port 0 binds an ephemeral port, and the reply shows the bound address.
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.listen).not.toBe('127.0.0.1:0');
    await request(`${target.url}/proxies/${name}`, 'DELETE');
  });

  test('create with enabled false stays disabled', async () => {
    const proxy = await client.createProxy({ name: uniqueName('disabled'), listen: '127.0.0.1:0', upstream: UPSTREAM, enabled: false });
    expect(proxy.enabled).toBe(false);
    expect((await client.get(proxy.name)).enabled).toBe(false);
    await proxy.remove();
  });

  test('create rejects missing fields and bad bodies', async () => {
    await expectError('POST', '/proxies', JSON.stringify({ upstream: UPSTREAM }), 400, 'missing required field: name');
    await expectError('POST', '/proxies', JSON.stringify({ name: uniqueName('no-upstream') }), 400, 'missing required field: upstream');
    await expectError('POST', '/proxies', '', 400, 'bad request body: EOF');
    await expectError('POST', '/proxies', '{"name": ', 400, /^bad request body: /);
    await expectError('POST', '/proxies', JSON.stringify({ name: 'x', upstream: UPSTREAM, enabled: 'yes' }), 400, /^bad request body: json: cannot unmarshal string into Go struct field .*enabled of type bool$/);
  });

  test('create of an existing name is 409', async () => {
    const proxy = await createProxy('duplicate');
    await expect(client.createProxy({ name: proxy.name, listen: '127.0.0.1:0', upstream: UPSTREAM })).rejects.toThrow('Request failed with status code 409');
    await expectError('POST', '/proxies', JSON.stringify({ name: proxy.name, listen: '127.0.0.1:0', upstream: UPSTREAM }), 409, 'proxy already exists');
    await proxy.remove();
  });

  test('create on a bound address is 500 with the OS error', async () => {
    const proxy = await createProxy('bound');
    await expectError('POST', '/proxies', JSON.stringify({ name: uniqueName('taken'), listen: proxy.listen, upstream: UPSTREAM }), 500, /address already in use/);
    await proxy.remove();
  });

  test('get returns the proxy or 404', async () => {
    const proxy = await createProxy('get');
    const fetched = await client.get(proxy.name);
    expect(fetched.toJson()).toEqual(proxy.toJson());
    await expectError('GET', `/proxies/${uniqueName('missing')}`, undefined, 404, 'proxy not found');
    await proxy.remove();
  });

  test('list is an object keyed by name', async () => {
    const first = await createProxy('list-a');
    const second = await createProxy('list-b');
    const all = await client.getAll();
    expect(all[first.name]?.listen).toBe(first.listen);
    expect(all[second.name]?.upstream).toBe(UPSTREAM);
    const reply = await request(`${target.url}/proxies`, 'GET');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)[first.name].toxics).toEqual([]);
    await first.remove();
    await second.remove();
  });

  test('update keeps omitted fields', async () => {
    const proxy = await createProxy('update');
    const reply = await request(`${target.url}/proxies/${proxy.name}`, 'POST', JSON.stringify({ enabled: false }));
    expect(reply.status).toBe(200);
    const updated = JSON.parse(reply.text);
    expect(updated.enabled).toBe(false);
    expect(updated.listen).toBe(proxy.listen);
    expect(updated.upstream).toBe(UPSTREAM);

    const patched = await request(`${target.url}/proxies/${proxy.name}`, 'PATCH', JSON.stringify({ upstream: '127.0.0.1:10' }));
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.text)).toMatchObject({ enabled: false, listen: proxy.listen, upstream: '127.0.0.1:10' });

    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: UPSTREAM });
    expect(enabled.enabled).toBe(true);
    expect(enabled.upstream).toBe(UPSTREAM);
    await expectError('POST', `/proxies/${uniqueName('missing')}`, '{}', 404, 'proxy not found');
    await expectError('POST', `/proxies/${proxy.name}`, '[', 400, /^bad request body: /);
    await proxy.remove();
  });

  test('delete returns 204 then 404', async () => {
    const proxy = await createProxy('delete');
    const reply = await request(`${target.url}/proxies/${proxy.name}`, 'DELETE');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    await expectError('DELETE', `/proxies/${proxy.name}`, undefined, 404, 'proxy not found');
  });
});

describe('toxic routes', () => {
  test('create applies defaults and returns 200', async () => {
    const proxy = await createProxy('toxic-defaults');
    const reply = await request(`${target.url}/proxies/${proxy.name}/toxics`, 'POST', JSON.stringify({ type: 'latency', attributes: { latency: 5 } }));
    expect(reply.status).toBe(200);
    const toxic = JSON.parse(reply.text);
    expect(toxic).toEqual({ attributes: { latency: 5, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });

    const upstream = await proxy.addToxic(toxicBody({ type: 'slicer', stream: 'upstream', toxicity: 0.5 }));
    expect(upstream.name).toBe('slicer_upstream');
    expect(upstream.toxicity).toBe(0.5);
    expect(upstream.attributes).toEqual({ average_size: 0, size_variation: 0, delay: 0 });
    await proxy.remove();
  });

  test('every type is accepted with its attributes', async () => {
    const proxy = await createProxy('toxic-types');
    const cases: Array<[string, Record<string, number>]> = [
      ['latency', { latency: 1, jitter: 2 }],
      ['bandwidth', { rate: 3 }],
      ['slow_close', { delay: 4 }],
      ['timeout', { timeout: 5 }],
      ['reset_peer', { timeout: 6 }],
      ['slicer', { average_size: 7, size_variation: 8, delay: 9 }],
      ['limit_data', { bytes: 10 }],
    ];
    for (const [type, attributes] of cases) {
      const toxic = await proxy.addToxic(toxicBody({ type, attributes, stream: 'upstream' }));
      expect(toxic.type).toBe(type);
      expect(toxic.attributes).toEqual(attributes);
    }
    await proxy.remove();
  });

  test('list puts upstream toxics first', async () => {
    const proxy = await createProxy('toxic-order');
    await proxy.addToxic(toxicBody({ name: 'd1', type: 'latency', stream: 'downstream' }));
    await proxy.addToxic(toxicBody({ name: 'u1', type: 'latency', stream: 'upstream' }));
    await proxy.addToxic(toxicBody({ name: 'd2', type: 'latency', stream: 'downstream' }));
    await proxy.addToxic(toxicBody({ name: 'u2', type: 'latency', stream: 'upstream' }));
    const reply = await request(`${target.url}/proxies/${proxy.name}/toxics`, 'GET');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).map((toxic: { name: string }) => toxic.name)).toEqual(['u1', 'u2', 'd1', 'd2']);
    const shown = JSON.parse((await request(`${target.url}/proxies/${proxy.name}`, 'GET')).text);
    expect(shown.toxics.map((toxic: { name: string }) => toxic.name)).toEqual(['u1', 'u2', 'd1', 'd2']);
    await proxy.remove();
  });

  test('create errors in the real order', async () => {
    const proxy = await createProxy('toxic-errors');
    const path = `/proxies/${proxy.name}/toxics`;
    await proxy.addToxic(toxicBody({ name: 'taken', type: 'latency' }));
    await expectError('POST', path, '', 400, 'bad request body: EOF');
    // The stream is checked before the type, the type before the name, the name before the attributes.
    await expectError('POST', path, JSON.stringify({ type: 'nonsense', stream: 'sideways' }), 400, 'stream was invalid, can be either upstream or downstream');
    await expectError('POST', path, JSON.stringify({ name: 'taken', type: 'nonsense' }), 400, 'invalid toxic type');
    await expectError('POST', path, JSON.stringify({ name: 'taken', type: 'latency', attributes: { latency: 'x' } }), 409, 'toxic already exists');
    await expectError('POST', path, JSON.stringify({ type: 'latency', attributes: { latency: 'x' } }), 400, /^bad request body: json: cannot unmarshal string into Go struct field .*latency of type int64$/);
    await expectError('POST', `/proxies/${uniqueName('missing')}/toxics`, JSON.stringify({ type: 'latency' }), 404, 'proxy not found');
    await expect(proxy.addToxic(toxicBody({ name: 'taken', type: 'latency' }))).rejects.toThrow('Request failed with status code 409');
    await proxy.remove();
  });

  test('get returns the toxic or 404', async () => {
    const proxy = await createProxy('toxic-get');
    const created = await proxy.addToxic(toxicBody({ type: 'latency', attributes: { latency: 7, jitter: 1 } }));
    const fetched = await proxy.getToxic(created.name);
    expect(fetched.toJson()).toEqual(created.toJson());
    await expectError('GET', `/proxies/${proxy.name}/toxics/nothing`, undefined, 404, 'toxic not found');
    await expectError('GET', `/proxies/${uniqueName('missing')}/toxics/nothing`, undefined, 404, 'proxy not found');
    await proxy.remove();
  });

  test('update merges attributes and toxicity only', async () => {
    const proxy = await createProxy('toxic-update');
    const toxic = await proxy.addToxic(toxicBody({ type: 'latency', attributes: { latency: 100, jitter: 10 } }));
    const updated = await toxic.update(toxicBody({ attributes: { jitter: 20 } }) as never);
    expect(updated.attributes).toEqual({ latency: 100, jitter: 20 });
    expect(updated.toxicity).toBe(1);

    const reply = await request(`${target.url}/proxies/${proxy.name}/toxics/${toxic.name}`, 'PATCH', JSON.stringify({ toxicity: 0.25, name: 'renamed', stream: 'upstream', type: 'bandwidth' }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ attributes: { latency: 100, jitter: 20 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 0.25 });
    await expectError('POST', `/proxies/${proxy.name}/toxics/nothing`, '{}', 404, 'toxic not found');
    await expectError('POST', `/proxies/${proxy.name}/toxics/${toxic.name}`, '{"toxicity": "high"}', 400, /^bad request body: /);
    await proxy.remove();
  });

  test('delete returns 204 then 404', async () => {
    const proxy = await createProxy('toxic-delete');
    const toxic = await proxy.addToxic(toxicBody({ type: 'latency' }));
    const reply = await request(`${target.url}/proxies/${proxy.name}/toxics/${toxic.name}`, 'DELETE');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    await expect(proxy.getToxic(toxic.name)).rejects.toThrow('Request failed with status code 404');
    await expectError('DELETE', `/proxies/${proxy.name}/toxics/${toxic.name}`, undefined, 404, 'toxic not found');
    await proxy.remove();
  });
});

describe('populate', () => {
  test('creates proxies and returns 201', async () => {
    const names = [uniqueName('populate-a'), uniqueName('populate-b')];
    const reply = await request(
      `${target.url}/populate`,
      'POST',
      JSON.stringify(names.map((name) => ({ name, listen: '127.0.0.1:0', upstream: UPSTREAM }))),
    );
    expect(reply.status).toBe(201);
    const body = JSON.parse(reply.text) as { proxies: Array<{ name: string; enabled: boolean }> };
    expect(body.proxies.map((proxy) => proxy.name)).toEqual(names);
    expect(body.proxies.every((proxy) => proxy.enabled)).toBe(true);
    for (const name of names) await request(`${target.url}/proxies/${name}`, 'DELETE');
  });

  test('validates every entry before creating any', async () => {
    const first = uniqueName('populate-valid');
    const reply = await request(`${target.url}/populate`, 'POST', JSON.stringify([{ name: first, listen: '127.0.0.1:0', upstream: UPSTREAM }, { listen: '127.0.0.1:0', upstream: UPSTREAM }]));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toMatchObject({ error: 'missing required field: name at proxy 2', status: 400 });
    await expectError('GET', `/proxies/${first}`, undefined, 404, 'proxy not found');

    const noUpstream = await request(`${target.url}/populate`, 'POST', JSON.stringify([{ name: first }]));
    expect(JSON.parse(noUpstream.text)).toMatchObject({ error: 'missing required field: upstream at proxy 1', status: 400 });
    const badBody = await request(`${target.url}/populate`, 'POST', '{');
    expect(badBody.status).toBe(400);
    expect(JSON.parse(badBody.text).error).toMatch(/^bad request body: /);
  });

  test('keeps equal proxies and replaces changed ones', async () => {
    const kept = await createProxy('populate-kept');
    const changed = await createProxy('populate-changed');
    const untouched = await createProxy('populate-untouched');
    for (const proxy of [kept, changed, untouched]) await proxy.addToxic(toxicBody({ type: 'latency', attributes: { latency: 1 } }));

    const result = await client.populate([
      { name: kept.name, listen: kept.listen, upstream: UPSTREAM },
      { name: changed.name, listen: changed.listen, upstream: '127.0.0.1:10' },
    ]);
    expect(Object.keys(result).sort()).toEqual([kept.name, changed.name].sort());

    const all = JSON.parse((await request(`${target.url}/proxies`, 'GET')).text);
    expect(all[kept.name].toxics).toHaveLength(1);
    expect(all[changed.name].toxics).toEqual([]);
    expect(all[changed.name].upstream).toBe('127.0.0.1:10');
    expect(all[untouched.name].toxics).toHaveLength(1);
    for (const proxy of [kept, changed, untouched]) await request(`${target.url}/proxies/${proxy.name}`, 'DELETE');
  });
});

describe('reset', () => {
  test('re-enables proxies and removes toxics', async () => {
    const proxy = await createProxy('reset');
    await proxy.addToxic(toxicBody({ type: 'latency', attributes: { latency: 1 } }) as ICreateToxicBody<Latency>);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: UPSTREAM });

    const reply = await request(`${target.url}/reset`, 'POST');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    await client.reset();

    const after = JSON.parse((await request(`${target.url}/proxies/${proxy.name}`, 'GET')).text);
    expect(after.enabled).toBe(true);
    expect(after.toxics).toEqual([]);
    await proxy.remove();
  });
});

describe('unknown routes', () => {
  test('unknown path is 404 and wrong method 405', async () => {
    const missing = await request(`${target.url}/nothing`, 'GET');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('404 page not found\n');
    expect((await request(`${target.url}/version`, 'DELETE')).status).toBe(405);
  });
});
