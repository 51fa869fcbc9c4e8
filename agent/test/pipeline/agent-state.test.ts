import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricKind, SeriesDefinitionSchema } from '@ballast/proto';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeStateSlot,
  encodeStateSlot,
  FileAgentState,
  newestStateSlot,
  STATE_SLOT_BYTES,
  STATE_SLOT_STRIDE,
} from '../../src/pipeline/agent-state.ts';
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

const statePath = (dir: string) => join(dir, 'state.bin');

/** A whole state file holding these slots (each where its generation puts it). */
function fileWith(...slots: { generation: bigint; epoch: bigint; lastSequence: bigint }[]): Buffer {
  const buf = Buffer.alloc(2 * STATE_SLOT_STRIDE);
  for (const s of slots) encodeStateSlot(s, buf.subarray(Number(s.generation % 2n) * STATE_SLOT_STRIDE));
  return buf;
}

describe('FileAgentState', () => {
  it('creates an epoch once, then keeps it and the last sequence in one fixed-size file rewritten in place', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'interval', 1_700_000_000_000);
    expect(a.fresh).toBe(true);
    expect(a.lastSequence).toBe(0n);
    const inode = statSync(statePath(dir)).ino;
    a.recordSequence(5n);
    a.recordSequence(3n); // never goes back
    a.recordSequence(6n);
    // Overwritten through the open descriptor, never replaced: same inode, same size.
    expect(statSync(statePath(dir))).toMatchObject({ ino: inode, size: 2 * STATE_SLOT_STRIDE });
    await a.close();
    expect(readdirSync(dir).sort()).toEqual(['series.log', 'state.bin']);
    const b = FileAgentState.open(dir, 'interval', 1_800_000_000_000);
    expect(b).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: 6n });
    b.recordSequence(7n);
    await b.close();
    expect(FileAgentState.open(dir, 'never', 1)).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: 7n });
  });

  it('writes the two slots alternately: the newest and the one before it are always both on disk', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    for (const seq of [1n, 2n, 3n, 4n, 5n]) {
      a.recordSequence(seq);
      const file = readFileSync(statePath(dir));
      const slots = [decodeStateSlot(file, 0), decodeStateSlot(file, 1)].map((s) => s?.lastSequence);
      expect(slots.sort()).toEqual([seq - 1n, seq]);
      expect(newestStateSlot(file)?.lastSequence).toBe(seq);
    }
    await a.close();
  });

  it('a power cut while a slot is written (any torn prefix, or none of it) leaves the newest complete record, never an older one', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    for (let seq = 1n; seq <= 9n; seq++) {
      const before = readFileSync(statePath(dir));
      a.recordSequence(seq);
      const after = readFileSync(statePath(dir));
      // One record changes bytes of one slot only: the other slot keeps the record before.
      const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
      const slotStart = Math.floor((changed[0] as number) / STATE_SLOT_STRIDE) * STATE_SLOT_STRIDE;
      expect(changed.every((i) => i >= slotStart && i < slotStart + STATE_SLOT_BYTES)).toBe(true);
      for (let k = 0; k <= STATE_SLOT_BYTES; k++) {
        // The first k bytes of the new slot reached the disk, the rest is still the old content.
        const torn = Buffer.from(before);
        after.copy(torn, slotStart, slotStart, slotStart + k);
        expect(newestStateSlot(torn)?.lastSequence).toBe(k === STATE_SLOT_BYTES ? seq : seq - 1n);
        // And as the next start sees it.
        if (k === STATE_SLOT_BYTES - 1) {
          const probe = dirs.make();
          writeFileSync(statePath(probe), torn);
          const reopened = FileAgentState.open(probe, 'never', 1_800_000_000_000);
          // (The file is made with a slot of sequence 0, so even the first record has one before it.)
          expect(reopened).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: seq - 1n });
          await reopened.close();
        }
      }
    }
    await a.close();
  });

  it('a torn newest slot falls back to the other one; the next record goes to the torn slot', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    a.recordSequence(10n);
    a.recordSequence(11n);
    await a.close();
    const file = readFileSync(statePath(dir));
    const newest = decodeStateSlot(file, 0)?.lastSequence === 11n ? 0 : 1;
    const at = newest * STATE_SLOT_STRIDE + 20;
    file.writeUInt8(file.readUInt8(at) ^ 0xff, at); // one flipped byte: the checksum no longer matches
    writeFileSync(statePath(dir), file);
    const b = FileAgentState.open(dir, 'never', 1_800_000_000_000);
    expect(b).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: 10n });
    b.recordSequence(12n);
    await b.close();
    const again = readFileSync(statePath(dir));
    expect(decodeStateSlot(again, newest as 0 | 1)?.lastSequence).toBe(12n);
    expect(decodeStateSlot(again, (1 - newest) as 0 | 1)?.lastSequence).toBe(10n);
  });

  it('both slots unreadable (or a cut file) starts a new epoch and an empty dictionary (the old ids belonged to the old epoch)', async () => {
    for (const damage of ['zeroed', 'cut'] as const) {
      const dir = dirs.make();
      const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
      a.recordSeries(def(1));
      a.recordSequence(9n);
      a.recordSequence(10n);
      await a.close();
      if (damage === 'zeroed') writeFileSync(statePath(dir), Buffer.alloc(2 * STATE_SLOT_STRIDE));
      else truncateSync(statePath(dir), 20);
      const b = FileAgentState.open(dir, 'never', 1_800_000_000_000);
      expect(b.fresh).toBe(true);
      expect(b.epoch).not.toBe(a.epoch);
      expect(b).toMatchObject({ lastSequence: 0n, series: [] });
      await b.close();
      expect(readdirSync(dir).sort()).toEqual(['series.log', 'state.bin']);
      expect(FileAgentState.open(dir, 'never', 1)).toMatchObject({ fresh: false, epoch: b.epoch, lastSequence: 0n });
    }
  });

  it('a slot with a valid checksum in the wrong place, or of epoch 0, is not a record', () => {
    const slot = { generation: 3n, epoch: 42n, lastSequence: 7n };
    const misplaced = Buffer.alloc(2 * STATE_SLOT_STRIDE);
    encodeStateSlot(slot, misplaced); // generation 3 belongs in slot 1
    expect(newestStateSlot(misplaced)).toBeNull();
    expect(newestStateSlot(fileWith(slot))).toEqual(slot);
    expect(newestStateSlot(fileWith({ ...slot, epoch: 0n }))).toBeNull();
    // Both valid: the higher generation wins, whatever its slot.
    expect(newestStateSlot(fileWith(slot, { generation: 4n, epoch: 42n, lastSequence: 8n }))?.lastSequence).toBe(8n);
    expect(
      newestStateSlot(fileWith({ generation: 5n, epoch: 42n, lastSequence: 9n }, { generation: 4n, epoch: 42n, lastSequence: 8n }))
        ?.lastSequence,
    ).toBe(9n);
  });

  it('upgrades a directory of an earlier version: state.json becomes state.bin with the same epoch, sequence and series', async () => {
    const dir = dirs.make();
    // What the earlier version left: the series log, state.json and its tmp file from a crash.
    const old = FileAgentState.open(dir, 'never', 1);
    for (let id = 1; id <= 2; id++) old.recordSeries(def(id));
    await old.close();
    rmSync(statePath(dir));
    writeFileSync(join(dir, 'state.json'), `${JSON.stringify({ version: 1, epoch: '1700000000000123', lastSequence: '41' })}\n`);
    writeFileSync(join(dir, 'state.json.tmp'), '{"version":1,"epo');
    const a = FileAgentState.open(dir, 'interval', 1_800_000_000_000);
    expect(a).toMatchObject({ fresh: false, epoch: 1_700_000_000_000_123n, lastSequence: 41n });
    expect(a.series.map((d) => d.id)).toEqual([1, 2]);
    expect(readdirSync(dir).sort()).toEqual(['series.log', 'state.bin']);
    a.recordSequence(42n);
    await a.close();
    expect(FileAgentState.open(dir, 'never', 1)).toMatchObject({ fresh: false, epoch: 1_700_000_000_000_123n, lastSequence: 42n });
  });

  it('a state.json left beside state.bin (a crash during the upgrade) is older: state.bin wins and state.json goes', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    a.recordSequence(50n);
    await a.close();
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, epoch: '99', lastSequence: '3' }));
    const b = FileAgentState.open(dir, 'never', 1);
    expect(b).toMatchObject({ fresh: false, epoch: a.epoch, lastSequence: 50n });
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    await b.close();
  });

  it('an unreadable state.json (no state.bin) starts a new epoch and an empty dictionary', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1_700_000_000_000);
    a.recordSeries(def(1));
    await a.close();
    rmSync(statePath(dir));
    writeFileSync(join(dir, 'state.json'), '{"version":1,"epo');
    const b = FileAgentState.open(dir, 'never', 1_800_000_000_000);
    expect(b).toMatchObject({ fresh: true, lastSequence: 0n, series: [] });
    expect(readdirSync(dir).sort()).toEqual(['series.log', 'state.bin']);
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

  it('refuses to record after close (its descriptor number may belong to another file by then)', async () => {
    const dir = dirs.make();
    const a = FileAgentState.open(dir, 'never', 1);
    await a.close();
    expect(() => a.recordSequence(1n)).toThrow(/closed/);
    a.recordSequence(0n); // nothing to record: not an error
  });
});
