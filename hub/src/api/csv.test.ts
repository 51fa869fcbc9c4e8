import { describe, expect, it } from 'vitest';
import { csvChunks, csvColumns, csvField, csvFilename, prefersCsv } from './csv.ts';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\r', '"cr\r"'],
    ["'; DROP TABLE samples; --", "'; DROP TABLE samples; --"],
    ['é ’ 中', 'é ’ 中'],
  ])('%j → %j', (input, output) => {
    expect(csvField(input)).toBe(output);
  });
});

describe('csvChunks', () => {
  it('one row per point: ISO time, unix seconds, value, then each label sorted by name', () => {
    const text = [
      ...csvChunks([
        { labels: { node: 'n1', mode: 'a,b' }, t: Uint32Array.of(1735689600, 1735689610), values: Float64Array.of(1.5, Number.NaN) },
        { labels: { node: 'n2', cluster: 'c' }, t: [1735689600], values: [-2] },
      ]),
    ].join('');
    expect(text).toBe(
      'timestamp,unix,value,cluster,mode,node\r\n' +
        '2025-01-01T00:00:00.000Z,1735689600,1.5,,"a,b",n1\r\n' +
        '2025-01-01T00:00:10.000Z,1735689610,,,"a,b",n1\r\n' +
        '2025-01-01T00:00:00.000Z,1735689600,-2,c,,n2\r\n',
    );
  });

  it('infinities and large or tiny values as JavaScript writes them', () => {
    const text = [...csvChunks([{ labels: {}, t: [0, 1, 2, 3], values: [Number.POSITIVE_INFINITY, -0, 1e21, 1e-7] }])].join('');
    expect(text.split('\r\n').slice(1, -1)).toEqual([
      '1970-01-01T00:00:00.000Z,0,Infinity',
      '1970-01-01T00:00:01.000Z,1,0',
      '1970-01-01T00:00:02.000Z,2,1e+21',
      '1970-01-01T00:00:03.000Z,3,1e-7',
    ]);
  });

  it('no labels and no points: just the header', () => {
    expect([...csvChunks([{ labels: {}, t: [], values: [] }])].join('')).toBe('timestamp,unix,value\r\n');
  });

  it('streams in chunks of 1000 rows', () => {
    const t = Float64Array.from({ length: 2500 }, (_, i) => i);
    const chunks = [...csvChunks([{ labels: { a: 'x' }, t, values: t }])];
    expect(chunks).toHaveLength(3);
    expect(chunks.join('').split('\r\n')).toHaveLength(2502); // header + rows + trailing empty
  });

  it('a label named like a fixed column gets a prefix', () => {
    expect(csvColumns([{ labels: { value: 'v', unix: 'u' }, t: [], values: [] }]).header).toEqual([
      'timestamp',
      'unix',
      'value',
      'label_unix',
      'label_value',
    ]);
  });
});

describe('csvFilename', () => {
  it('metric and compact UTC times, no colons', () => {
    expect(csvFilename('node:cpu', Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 1, 2, 3, 456))).toBe(
      'node_cpu-20250101T000000Z-20250101T010203Z.csv',
    );
  });
});

describe('prefersCsv', () => {
  it.each([
    [undefined, false],
    ['text/csv', true],
    ['text/csv;q=0.5, application/json', false],
    ['application/json;q=0.5, text/csv', true],
    ['text/html,application/xhtml+xml,*/*;q=0.8', false],
    ['text/csv;q=0', false],
  ])('%s → %s', (accept, csv) => {
    expect(prefersCsv(accept)).toBe(csv);
  });
});
