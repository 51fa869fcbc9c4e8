import { existsSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricKind, SeriesDefinitionSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAgentState } from '../../src/pipeline/agent-state.ts';
import { tempDirs } from './temp-dirs.ts';

const dirs = tempDirs('state');
afterAll(() => dirs.removeAll());

const def = (id: number) =>
  create(SeriesDefinitionSchema, {
    id,
    metric: `m${id}`,
    labels: [{ name: 'pod', value: `p${id}` }],
    kind: MetricKind.GAUGE,
    unit: 'bytes',
  });

describe('FileAgentState', () => {
  it('creates an epoch once, then keeps it and the last sequence; state.json is replaced by rename', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'interval', 1_700_000_000_000);
    expect(a.fresh).toBe(true);
    expect(a.lastSequence).toBe(0n);
    a.recordSequence(5n);
    a.recordSequence(3n); // never goes back
    await a.close();
    expect(readdirSync(dir).sort()).toEqual(['series.log', 'state.json']);
    const b = FileAgentState.open(dir, 'interval', 1_800_000_000_000);
    expect(b).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: 5n });
    await b.close();
  });

  it('reloads series definitions in id order and cuts a torn last one (counted)', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1);
    for (let id = 1; id <= 3; id++) a.recordSeries(def(id));
    await a.close();
    expect(FileAgentState.open(dir, 'never', 1).series).toEqual([def(1), def(2), def(3)]);
    const path = join(dir, 'series.log');
    truncateSync(path, statSync(path).size - 2);
    const b = FileAgentState.open(dir, 'never', 1);
    expect(b.series.map((d) => d.id)).toEqual([1, 2]);
    expect(b.corruptRecords).toBe(1);
    b.recordSeries(def(3)); // appends after the cut, so the file is whole again
    await b.close();
    expect(FileAgentState.open(dir, 'never', 1).series.map((d) => d.id)).toEqual([1, 2, 3]);
  });

  it('an unreadable state.json starts a new epoch and an empty dictionary (the old ids belonged to the old epoch)', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    a.recordSeries(def(1));
    a.recordSequence(9n);
    await a.close();
    writeFileSync(join(dir, 'state.json'), '{"version":1,"epo');
    const b = FileAgentState.open(dir, 'never', 1_800_000_000_000);
    expect(b.fresh).toBe(true);
    expect(b.epoch).not.toBe(a.epoch);
    expect(b).toMatchObject({ lastSequence: 0n, series: [] });
    expect(existsSync(join(dir, 'state.json.tmp'))).toBe(false);
    await b.close();
  });
});
