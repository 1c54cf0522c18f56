/**
 * The writes and reads of Kibana's case catalog (case-mutate.lua, case-writes.ts, case-search.ts) on a
 * real redis-server: a step's op key makes a repeat write nothing, the bounds refuse a batch whole,
 * concurrent writers of one list all land, and the indexes (by alert, observable, tag) follow every
 * write, deletion included.
 */
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { CASE_LIMITS, CaseInputError, CaseStore, Keys } from '../src';
import { startRedis, type RedisServer } from '../../../test/helpers/redis-server';

let server: RedisServer;
let redis: IORedis;

beforeAll(async () => {
  server = await startRedis();
  redis = server.client();
});
afterAll(async () => server.stop());

const storeOn = () => new CaseStore(redis, new Keys(`t${randomUUID().slice(0, 8)}`));
const ip = (value: string) => ({ typeKey: 'observable-type-ipv4', value, description: null });

async function newCase(cases: CaseStore, title = 'c', tags: string[] = []) {
  return cases.create({ title, severity: 'low', tags });
}

describe('one case', () => {
  it('a step run twice (same op key) writes once: same observable ids, same updatedAt, nothing added twice', async () => {
    const cases = storeOn();
    const c = await newCase(cases);
    const first = await cases.attach(c.id, { observables: [ip('10.0.0.8'), ip('10.0.0.9')], alerts: [{ alertId: 'a-1', index: '.alerts', rule: { id: 'r1', name: 'R' } }] }, 'E1/add');
    const again = await cases.attach(c.id, { observables: [ip('10.0.0.8'), ip('10.0.0.9')], alerts: [{ alertId: 'a-1', index: '.alerts', rule: { id: 'r1', name: 'R' } }] }, 'E1/add');
    expect(again).toEqual(first);
    expect(first!.observables.map((o) => o.value)).toEqual(['10.0.0.8', '10.0.0.9']);
    expect(await redis.hlen(cases.keys.caseObservables(c.id))).toBe(2);
    expect(await redis.hget(cases.keys.caseOps(c.id), 'E1/add')).toBe(first!.updatedAt);

    // a tag step repeated after a later removal does not put the tag back
    await cases.changeTags(c.id, { add: ['x'] }, 'E1/tag');
    await cases.changeTags(c.id, { remove: ['x'] }, 'E1/untag');
    expect((await cases.changeTags(c.id, { add: ['x'] }, 'E1/tag'))!.tags).toEqual([]);
  });

  it('an observable of the same type and value is kept once; a batch over the bound writes nothing and names it', async () => {
    const cases = storeOn();
    const c = await newCase(cases);
    await cases.attach(c.id, { observables: [ip('1.1.1.1'), ip('1.1.1.1'), { typeKey: 'observable-type-domain', value: '1.1.1.1', description: 'a name' }] });
    expect((await cases.detail(c.id))!.observables.map((o) => `${o.typeKey}=${o.value}`)).toEqual(['observable-type-ipv4=1.1.1.1', 'observable-type-domain=1.1.1.1']);

    const many = Array.from({ length: CASE_LIMITS.observables - 1 }, (_, i) => ip(`10.${i >> 8}.${i & 255}.1`));
    await expect(cases.attach(c.id, { observables: many })).rejects.toThrow(new CaseInputError(`a case holds at most 1000 observables; it has 2 and 999 more were given`));
    expect(await redis.hlen(cases.keys.caseObservables(c.id))).toBe(2);
    await cases.attach(c.id, { observables: many.slice(1) });
    expect(await redis.hlen(cases.keys.caseObservables(c.id))).toBe(CASE_LIMITS.observables);
  });

  it('updates and deletes one observable, refusing an unknown id or a value another observable has', async () => {
    const cases = storeOn();
    const c = await newCase(cases);
    const [a, b] = (await cases.attach(c.id, { observables: [ip('10.0.0.1'), ip('10.0.0.2')] }))!.observables;
    const updated = await cases.updateObservable(c.id, a.id, { value: '10.0.0.3', description: 'moved' });
    expect(updated!.observables.find((o) => o.id === a.id)).toMatchObject({ value: '10.0.0.3', description: 'moved' });
    await expect(cases.updateObservable(c.id, a.id, { value: '10.0.0.2' })).rejects.toThrow('already has an observable of type "observable-type-ipv4" with this value');
    await expect(cases.deleteObservable(c.id, 'nope')).rejects.toThrow('the case has no observable "nope"');
    expect((await cases.deleteObservable(c.id, b.id))!.observables.map((o) => o.value)).toEqual(['10.0.0.3']);
    expect(await redis.hkeys(cases.keys.caseObservableValues(c.id))).toHaveLength(1);
  });

  it('concurrent writers of one list all land (tags, assignees: a read-modify-write inside the script)', async () => {
    const cases = storeOn();
    const c = await newCase(cases);
    await Promise.all(Array.from({ length: 30 }, (_, i) => cases.changeTags(c.id, { add: [`t${i}`] }, `E/tag${i}`)));
    await Promise.all(Array.from({ length: 10 }, (_, i) => cases.changeAssignees(c.id, { add: [`u${i}`] })));
    const d = (await cases.detail(c.id))!;
    expect(d.tags.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `t${i}`).sort());
    expect(d.assignees).toHaveLength(10);
    await expect(cases.changeAssignees(c.id, { add: ['one-too-many'] })).rejects.toThrow('a case has at most 10 assignees; this would make 11');
  });

  it('update sets fields and replaces lists at once; closing records closedAt, reopening clears it', async () => {
    const cases = storeOn();
    const c = await newCase(cases, 'old', ['a', 'b']);
    const d = (await cases.update(c.id, { title: 'new', status: 'closed', category: 'Malware', tags: ['b', 'c'], assignees: ['u1'], customFields: [{ key: 'ticket', type: 'text', value: 'T-1' }] }))!;
    expect(d).toMatchObject({ title: 'new', status: 'closed', category: 'Malware', tags: ['b', 'c'], assignees: [{ uid: 'u1' }], customFields: [{ key: 'ticket', type: 'text', value: 'T-1' }] });
    expect(d.closedAt).toEqual(expect.any(String));
    expect(await redis.zrange(cases.keys.casesByTag('a'), 0, -1)).toEqual([]);
    expect(await redis.zrange(cases.keys.casesByTag('c'), 0, -1)).toEqual([c.id]);
    expect((await cases.update(c.id, { status: 'open', category: null }))!).toMatchObject({ closedAt: null, category: null });
    expect(await cases.update('no-such-case', { title: 'x' })).toBeNull();
  });
});

describe('indexes', () => {
  it('getCasesByAlertId finds the cases of an alert and drops an entry the case no longer backs', async () => {
    const cases = storeOn();
    const [c1, c2, c3] = [await newCase(cases, 'one'), await newCase(cases, 'two'), await newCase(cases, 'three')];
    for (const c of [c1, c2]) await cases.attach(c.id, { alerts: [{ alertId: 'alert-7', index: '.alerts', rule: null }] });
    await cases.attach(c3.id, { alerts: [{ alertId: 'alert-8', index: '.alerts', rule: null }] });
    expect((await cases.byAlert('alert-7')).map((r) => r.title).sort()).toEqual(['one', 'two']);
    expect((await cases.byAlert('alert-7'))[0].totals).toEqual({ alerts: 1, userComments: 0 });

    await redis.zadd(cases.keys.casesByAlert('alert-7'), 'NX', Date.now(), c3.id); // what a crash could leave
    expect((await cases.byAlert('alert-7')).map((r) => r.id)).not.toContain(c3.id);
    expect(await redis.zscore(cases.keys.casesByAlert('alert-7'), c3.id)).toBeNull();
  });

  it('findSimilarCases ranks the cases sharing the most observables and tags, and skips the case itself', async () => {
    const cases = storeOn();
    const src = await newCase(cases, 'source', ['edr', 'mimikatz']);
    await cases.attach(src.id, { observables: [ip('10.0.0.1'), ip('10.0.0.2'), { typeKey: 'observable-type-hostname', value: 'web-01', description: null }] });
    const both = await newCase(cases, 'two ips + tag', ['edr']);
    await cases.attach(both.id, { observables: [ip('10.0.0.1'), ip('10.0.0.2')] });
    const one = await newCase(cases, 'one host');
    await cases.attach(one.id, { observables: [{ typeKey: 'observable-type-hostname', value: 'web-01', description: null }] });
    const otherType = await newCase(cases, 'same value, other type');
    await cases.attach(otherType.id, { observables: [{ typeKey: 'observable-type-domain', value: '10.0.0.1', description: null }] });
    await newCase(cases, 'unrelated', ['phishing']);

    const page = (await cases.findSimilar(src.id, 1, 10))!;
    expect(page.cases.map((c) => c.title)).toEqual(['two ips + tag', 'one host']);
    expect(page.total).toBe(2);
    expect(page.cases[0].similarities).toEqual({
      observables: expect.arrayContaining([
        { typeKey: 'observable-type-ipv4', typeLabel: 'IPv4', value: '10.0.0.1' },
        { typeKey: 'observable-type-ipv4', typeLabel: 'IPv4', value: '10.0.0.2' },
      ]),
      tags: ['edr'],
    });
    expect((await cases.findSimilar(src.id, 2, 1))!.cases.map((c) => c.title)).toEqual(['one host']);
    expect(await cases.findSimilar('no-such-case', 1, 10)).toBeNull();
  });

  it('deleteCases removes the case, its keys and its index entries; the same step again succeeds, another fails', async () => {
    const cases = storeOn();
    const c = await newCase(cases, 'doomed', ['edr']);
    await cases.attach(c.id, { observables: [ip('10.9.9.9')], alerts: [{ alertId: 'a-del', index: '.alerts', rule: null }] }, 'E/att');
    await cases.addComment(c.id, { comment: 'x', author: 'a' });
    const fp = (await redis.hkeys(cases.keys.caseObservableValues(c.id)))[0];

    expect(await cases.delete(c.id, 'E/del')).toBe(true);
    for (const key of [cases.keys.case(c.id), cases.keys.caseComments(c.id), cases.keys.caseObservables(c.id), cases.keys.caseObservableValues(c.id), cases.keys.caseAlerts(c.id), cases.keys.caseOps(c.id)]) {
      expect([key, await redis.exists(key)]).toEqual([key, 0]);
    }
    for (const key of [cases.keys.casesByTag('edr'), cases.keys.casesByObservable(fp), cases.keys.casesByAlert('a-del'), cases.keys.cases()]) {
      expect([key, await redis.zcard(key)]).toEqual([key, 0]);
    }
    expect(await redis.ttl(cases.keys.caseTombstone(c.id))).toBeGreaterThan(86_000);
    expect(await cases.delete(c.id, 'E/del')).toBe(true);
    expect(await cases.delete(c.id, 'E/other')).toBe(false);
    expect(await cases.get(c.id)).toBeNull();
  });

  it('findCases filters, counts by status, sorts and pages', async () => {
    const cases = storeOn();
    const a = await newCase(cases, 'Credential dumping on web-01', ['edr']);
    const b = await newCase(cases, 'Phishing mail', ['mail']);
    const c = await newCase(cases, 'Credential stuffing', ['edr']);
    await cases.update(a.id, { severity: 'critical', assignees: ['u1'] });
    await cases.update(c.id, { status: 'closed', severity: 'high' });
    await cases.update(b.id, { category: 'Phishing' });

    const edr = await cases.find({ tags: ['edr'], page: 1, perPage: 10 });
    expect(edr).toMatchObject({ total: 2, count_open_cases: 1, count_closed_cases: 1, count_in_progress_cases: 0 });
    expect((await cases.find({ search: 'credential', status: ['open'], page: 1, perPage: 10 })).cases.map((x) => x.id)).toEqual([a.id]);
    expect((await cases.find({ search: 'credential mail', operator: 'AND', page: 1, perPage: 10 })).total).toBe(0);
    expect((await cases.find({ sortField: 'severity', sortOrder: 'desc', page: 1, perPage: 2 })).cases.map((x) => x.title)).toEqual(['Credential dumping on web-01', 'Credential stuffing']);
    expect((await cases.find({ assignees: ['u1'], page: 1, perPage: 10 })).cases.map((x) => x.id)).toEqual([a.id]);
    expect((await cases.find({ category: ['Phishing'], page: 1, perPage: 10 })).cases.map((x) => x.id)).toEqual([b.id]);
    expect((await cases.find({ page: 2, perPage: 2 })).cases).toHaveLength(1);
  });
});
