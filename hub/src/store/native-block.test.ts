import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreConnection, type StoreConnection } from './clickhouse-connection.ts';
import type { SamplePart } from './metrics-store.ts';
import { encodeSamplesNative, SAMPLE_NATIVE_STRUCTURE } from './native-block.ts';

// Own file: chDB allows one data directory per process.
let dir = '';
let connection: StoreConnection;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-native-'));
  connection = openStoreConnection({ kind: 'chdb', path: join(dir, 'chdb') });
});

afterAll(async () => {
  await connection?.client.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function part(tenant: string, cluster: string, points: Array<[id: bigint, ms: number, value: number]>): SamplePart {
  return {
    tenant,
    cluster,
    block: {
      length: points.length,
      seriesLo: Uint32Array.from(points, ([id]) => Number(id & 0xffff_ffffn)),
      seriesHi: Uint32Array.from(points, ([id]) => Number(id >> 32n)),
      timestampsMs: Float64Array.from(points, ([, ms]) => ms),
      values: Float64Array.from(points, ([, , v]) => v),
    },
  };
}

let files = 0;
/** What ClickHouse reads from the block, row by row in file order. */
async function read(parts: SamplePart[]): Promise<Array<[string, string, string, string, string]>> {
  const path = join(dir, `block-${files++}.bin`);
  writeFileSync(path, encodeSamplesNative(parts));
  const result = await connection.client.query({
    query: `SELECT tenant, cluster, toString(series_id), toString(toUnixTimestamp64Milli(ts)), toString(value)
            FROM file({path:String}, 'Native', {structure:String})`,
    query_params: { path, structure: SAMPLE_NATIVE_STRUCTURE },
    format: 'JSONCompactEachRow',
  });
  return result.json();
}

describe('encodeSamplesNative', () => {
  it('ClickHouse reads back every row: owners, 64-bit ids, times before 1970 and far ahead, any double', async () => {
    const parts = [
      part('t1', 'c1', [
        [1n, 1_700_000_000_123, 1.5],
        [2n ** 64n - 1n, 0, Number.NaN],
      ]),
      part('', 'c2', [[2n ** 63n, -1_000, Number.NEGATIVE_INFINITY]]),
      part('t1', 'c2', [[42n, 7_258_118_400_000, -0]]),
      part('tenant é 中', 'c1', [[7n, 2 ** 40 + 0.0, 1e300]]),
    ];
    expect(await read(parts)).toEqual([
      ['t1', 'c1', '1', '1700000000123', '1.5'],
      ['t1', 'c1', '18446744073709551615', '0', 'nan'],
      ['', 'c2', '9223372036854775808', '-1000', '-inf'],
      ['t1', 'c2', '42', '7258118400000', '-0'],
      ['tenant é 中', 'c1', '7', String(2 ** 40), '1e300'],
    ]);
  });

  it('more owners than a UInt8 index holds: UInt16 indexes', async () => {
    const parts = Array.from({ length: 300 }, (_, i) => part(`tenant-${i}`, `c${i % 3}`, [[BigInt(i), i, i / 4]]));
    const rows = await read(parts);
    expect(rows).toHaveLength(300);
    expect(rows[299]).toEqual(['tenant-299', 'c2', '299', '299', '74.75']);
    expect(new Set(rows.map((r) => r[0])).size).toBe(300);
  });

  it('lays a block out as ClickHouse writes one', async () => {
    const result = await connection.client.exec({
      query: `SELECT toLowCardinality(['a', 'b', 'a'][number + 1]) AS tenant, toLowCardinality('c') AS cluster,
                     toUInt64(number + 5) AS series_id, toDateTime64(number / 1000, 3) AS ts, toFloat64(number) / 2 AS value
              FROM numbers(3) FORMAT Native`,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of result.stream) chunks.push(chunk as Buffer);
    const ours = encodeSamplesNative([part('a', 'c', [[5n, 0, 0]]), part('b', 'c', [[6n, 1, 0.5]]), part('a', 'c', [[7n, 2, 1]])]);
    expect(ours.toString('hex')).toBe(Buffer.concat(chunks).toString('hex'));
  });

  it('refuses to encode no rows (ClickHouse refuses an empty block); empty parts are skipped', async () => {
    expect(() => encodeSamplesNative([])).toThrow(RangeError);
    expect(() => encodeSamplesNative([part('t', 'c', [])])).toThrow(RangeError);
    expect(await read([part('t', 'c', []), part('t', 'c', [[1n, 2, 3]]), part('u', 'c', [])])).toEqual([['t', 'c', '1', '2', '3']]);
  });
});
