import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { BodyReader } from './request-body.ts';

const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? err.parameter : `not an ApiError: ${String(err)}`;
  }
  return null;
};

describe('BodyReader', () => {
  const ids = { pattern: /^vol-[0-9a-f]{8}$/, hint: 'a volume id', max: 3 };

  it('reads the fields it is asked for and treats an absent body as empty', () => {
    const b = BodyReader.of({ volumeIds: ['vol-0000000a'], confirm: true, note: 'x', n: 3 }, ['volumeIds', 'confirm', 'note', 'n']);
    expect(b.ids('volumeIds', ids)).toEqual(['vol-0000000a']);
    expect([b.boolean('confirm'), b.string('note'), b.integer('n', { min: 0 })]).toEqual([true, 'x', 3]);
    expect(BodyReader.of(undefined, ['a']).string('a')).toBeUndefined();
  });

  it('names the offending field: unknown, wrong type, out of range, malformed or repeated id', () => {
    expect(field(() => BodyReader.of({ a: 1, b: 2 }, ['a']))).toBe('b');
    expect(field(() => BodyReader.of([1], ['a']))).toBe('body');
    expect(field(() => BodyReader.of({ n: -1 }, ['n']).integer('n', { min: 0 }))).toBe('n');
    expect(field(() => BodyReader.of({ n: 1.5 }, ['n']).integer('n'))).toBe('n');
    expect(field(() => BodyReader.of({ n: '5' }, ['n']).integer('n'))).toBe('n');
    expect(field(() => BodyReader.of({ v: ['vol-0000000a', 'vol-x'] }, ['v']).ids('v', ids))).toBe('v[1]');
    expect(field(() => BodyReader.of({ v: ['vol-0000000a', 'vol-0000000a'] }, ['v']).ids('v', ids))).toBe('v[1]');
    expect(field(() => BodyReader.of({ v: Array(4).fill('vol-0000000a') }, ['v']).ids('v', ids))).toBe('v');
    expect(field(() => BodyReader.of({}, ['r']).string('r', { required: true }))).toBe('r');
    expect(field(() => BodyReader.of({ a: 'x' }, ['a']).oneOf('a', ['y', 'z'] as const))).toBe('a');
    expect(field(() => BodyReader.of({ inner: { z: 1 } }, ['inner'], '').string('inner'))).toBe('inner');
  });
});
