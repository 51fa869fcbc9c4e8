import { Rng as SimRng } from '@ballast/sim';

/**
 * Seeded randomness for the API fuzz (the simulator's mulberry32): the same seed gives the same 10,000 requests, so a
 * failure printed with its seed and request number can be replayed exactly.
 */
export class Rng {
  private readonly r: SimRng;
  constructor(readonly seed: number) {
    this.r = new SimRng(seed);
  }

  next(): number {
    return this.r.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return this.r.int(0, n - 1);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Number literals JSON.stringify cannot write (1e309 overflows to Infinity when parsed) or that parse oddly. */
const ODD_NUMBERS = [
  '1e309',
  '-1e309',
  '-0',
  '0.0',
  '1e-400',
  '9007199254740993',
  '-9007199254740993',
  '1.5',
  '-1',
  '0',
  '1E2',
  '123456789012345678901234567890',
];
const ODD_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  'null',
  'true',
  '0',
  '-0',
  '1e309',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text of a log4j-style lookup, not a template.
  '${jndi:ldap://x}',
  '\u0000',
  'a\u0000b',
  '\u202etxt.exe',
  '\u200b',
  '🚀🔥💥',
  '𝕳𝖊𝖑𝖑𝖔',
  'Ωmega ñ ü ß 中文 العربية',
  '\ud800',
  '\\',
  '%00',
  '%2F',
  '__proto__',
  'constructor',
];
const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz_ü$@.-/ 0123456789';

/** A JSON string literal of `s` (escapes as JSON.stringify does, lone surrogates included). */
const str = (s: string) => JSON.stringify(s);

/** `small`: no long repeats (inside long arrays and deep objects, so a body stays well under a megabyte). */
export function randomString(rng: Rng, small = false): string {
  const r = rng.int(10);
  if (r < 4) return rng.pick(ODD_STRINGS);
  if (small && r < 6) return rng.pick(ODD_STRINGS);
  if (r < 5) return 'x'.repeat(rng.pick([255, 256, 1025, 5000, 70_000]));
  if (r < 6) return rng.pick(['🚀', 'ü', '\u0000', 'é']).repeat(rng.int(3000) + 1);
  let s = '';
  const n = rng.int(40);
  for (let i = 0; i < n; i++) s += String.fromCodePoint(rng.chance(0.8) ? 32 + rng.int(95) : rng.int(0x2ffff));
  return s;
}

/**
 * A random key that is never one a route knows (the known ones are camelCase or snake_case
 * words): starts with a character no API field starts with, or is a prototype-pollution name.
 */
export function randomKey(rng: Rng): string {
  if (rng.chance(0.05)) return rng.pick(['__proto__', 'constructor', 'prototype', '']);
  let k = rng.pick(['$', '~', 'Zz', '0', ' ', 'ü']);
  const n = rng.int(12);
  for (let i = 0; i < n; i++) k += KEY_CHARS[rng.int(KEY_CHARS.length)];
  return k;
}

/**
 * Raw JSON text of a random value: scalars of every type (odd numbers and strings
 * included), arrays, and objects nested up to `depth` (sometimes hundreds deep).
 */
export function randomJson(rng: Rng, depth = 0): string {
  const deep = depth > 0 && rng.chance(0.02);
  if (deep) return nested(rng, 50 + rng.int(400));
  const r = rng.int(depth >= 4 ? 6 : 9);
  switch (r) {
    case 0:
      return 'null';
    case 1:
      return rng.chance(0.5) ? 'true' : 'false';
    case 2:
      return rng.chance(0.5) ? rng.pick(ODD_NUMBERS) : String((rng.next() - 0.5) * 10 ** rng.int(20));
    case 3:
    case 4:
    case 5:
      return str(randomString(rng, depth > 1));
    case 6:
    case 7: {
      // A long array holds scalars only (depth 4 and below make no containers, and no long strings), so sizes stay bounded.
      const long = rng.chance(0.05);
      const n = long ? 1000 + rng.int(5000) : rng.int(6);
      return `[${Array.from({ length: n }, () => randomJson(rng, long ? 5 : depth + 1)).join(',')}]`;
    }
    default:
      return randomObject(rng, depth + 1);
  }
}

/** A non-empty object of random keys (so never a valid "no body" `{}`). */
export function randomObject(rng: Rng, depth = 0): string {
  const n = 1 + rng.int(6);
  const parts = Array.from({ length: n }, () => `${str(randomKey(rng))}:${randomJson(rng, depth + 1)}`);
  return `{${parts.join(',')}}`;
}

function nested(rng: Rng, levels: number): string {
  const array = rng.chance(0.5);
  return array ? `${'['.repeat(levels)}1${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}
