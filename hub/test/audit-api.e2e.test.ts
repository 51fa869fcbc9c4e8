import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsHub } from './jobs-fixture.ts';

// The audit log over the API: entries from real actions (dry-run cleanups by several
// people at different times), filtered, paged and exported as CSV.
let hub: ActionsHub;
const jobIds: string[] = [];
const t0 = () => new Date(hub.sim.clock.now()).toISOString();

interface Entry {
  id: number;
  at: string;
  actor: string;
  sourceIp: string | null;
  action: string;
  target: string;
  result: string;
  details: Record<string, unknown>;
}

beforeAll(async () => {
  hub = await ActionsHub.start();
  const [s] = hub.leftovers().snapshots as [string];
  for (const actor of ['alice', 'bob', '=HYPERLINK("http://evil")']) {
    const res = await hub.post('/api/v1/storage/cleanup', { snapshotIds: [s], dryRun: true, note: `by ${actor}` }, actor);
    jobIds.push(res.json().job.id);
    await hub.until(res.json().job.id, 'succeeded');
    await hub.sim.clock.advance(3_600_000);
  }
});
afterAll(async () => {
  await hub?.close();
});

const list = async (q: string) => (await hub.app.inject(`/api/v1/audit?${q}`)).json() as { entries: Entry[]; nextCursor: string | null };

describe('GET /api/v1/audit', () => {
  it('records who did what, when, from where and with what result', async () => {
    const { entries } = await list(`target=job:${jobIds[0]}`);
    expect(entries.map((e) => [e.action, e.actor, e.result]).reverse()).toEqual([
      ['job.created', 'alice', 'success'],
      ['job.started', 'ballast-job-runner', 'success'],
      ['job.succeeded', 'ballast-job-runner', 'success'],
    ]);
    expect(entries.at(-1)).toMatchObject({ sourceIp: '127.0.0.1', details: { note: 'by alice', kind: 'storage-cleanup', dryRun: true } });
    expect(Date.parse(entries.at(-1)?.at ?? '')).toBeLessThan(Date.parse(t0()));
  });

  it('filters by actor, action and time range, and pages newest first without gaps', async () => {
    expect((await list('actor=bob')).entries.map((e) => e.action)).toEqual(['job.created']);
    expect((await list('action=job.created')).entries.map((e) => e.actor)).toEqual(['=HYPERLINK("http://evil")', 'bob', 'alice']);
    const start = Date.parse(t0()) - 3 * 3_600_000;
    const window = await list(
      `action=job.created&from=${new Date(start + 3_600_000).toISOString()}&to=${new Date(start + 2 * 3_600_000).toISOString()}`,
    );
    expect(window.entries.map((e) => e.actor)).toEqual(['bob']);
    const all = (await list('limit=500')).entries;
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('exports CSV with Accept: text/csv or format=csv, every matching row, formulas defused', async () => {
    const byHeader = await hub.app.inject({ url: '/api/v1/audit?action=job.created', headers: { accept: 'text/csv' } });
    expect(byHeader.statusCode).toBe(200);
    expect(byHeader.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byHeader.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const lines = byHeader.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,source_ip,action,target,result,client_id,details');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil"")",127.0.0.1,job.created,job:${jobIds[2]},success,default,`);
    const byParam = await hub.app.inject('/api/v1/audit?format=csv');
    expect(byParam.body.trimEnd().split('\r\n')).toHaveLength((await list('limit=500')).entries.length + 1);
    const capped = await hub.app.inject('/api/v1/audit?format=csv&limit=2');
    expect(capped.body.trimEnd().split('\r\n')).toHaveLength(3);
  });

  it('refuses malformed filters with a 400 naming them', async () => {
    for (const [q, parameter] of [
      ['from=yesterday', 'from'],
      ['from=2021-04-16T00:00:00Z&to=2021-04-15T00:00:00Z', 'from'],
      ['limit=0', 'limit'],
      ['format=xml', 'format'],
      ['who=alice', 'who'],
    ]) {
      const res = await hub.app.inject(`/api/v1/audit?${q}`);
      expect([res.statusCode, res.json().error.parameter], q).toEqual([400, parameter]);
    }
    expect((await hub.app.inject('/api/v1/audit?cursor=garbage')).statusCode).toBe(400);
    expect((await hub.app.inject('/api/v1/audit?cursor=garbage&format=csv')).statusCode).toBe(400);
  });
});
