import { type BodySchema, type Mutation, mutationsOf } from './body-mutations.ts';
import { type Rng, randomJson, randomObject } from './fuzz-random.ts';
import type { FuzzFixtures, FuzzTarget, ParamSpec } from './fuzz-targets.ts';

/**
 * What a probe must get. `field`: a 400 naming that field (the body was made invalid in
 * exactly that field); `refused`: some 4xx; `no-op`: any answer below 500 (the request is
 * valid but changes nothing). Every probe must also write nothing.
 */
export type Expectation = { kind: 'field'; field: string } | { kind: 'refused' } | { kind: 'no-op' };

export interface Probe {
  target: FuzzTarget;
  /** The generator that made it, for the summary and for failure reports. */
  generator: string;
  method: string;
  url: string;
  payload?: string;
  contentType?: string;
  expect: Expectation;
}

/** Payloads a JSON parser must refuse (each with content-type application/json). */
const NOT_JSON = [
  '{',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  'undefined',
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '// comment\n{}',
  '\uFEFF{"a":1',
  '<xml/>',
  'a=1&b=2',
  '\u0000\u0001\u0002',
  '"unterminated',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  `${'['.repeat(100_000)}`,
  ' ',
];

/** Content types the API does not take, each with a payload a JSON route might otherwise accept. */
const WRONG_TYPES: ReadonlyArray<[string | undefined, string]> = [
  ['text/plain', '{"reason":"x"}'],
  ['text/plain', 'hello'],
  ['application/x-www-form-urlencoded', 'reason=x&name=y'],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
  ['application/xml', '<a>1</a>'],
  ['application/octet-stream', '\u0000\u00ff'],
  ['application/jsonx', '{"a":1}'],
  ['image/png', '\u0089PNG'],
  [undefined, '{"a":1}'],
];

function fillPath(target: FuzzTarget, f: FuzzFixtures, pick: (p: ParamSpec) => string): string {
  let url = target.url;
  for (const p of target.params ?? []) url = url.replace(`:${p.name}`, pick(p));
  return target.query ? `${url}?${target.query(f)}` : url;
}

/** Known ids where the fixtures have one (a mutation then reaches a real object), else the unknown one. */
const knownUrl = (t: FuzzTarget, f: FuzzFixtures) => fillPath(t, f, (p) => p.known?.(f) ?? p.unknown);

/** The mutations of a target's valid body, against the schema the route registered (or the fuzz's own for hand-read bodies). */
export function targetMutations(t: FuzzTarget, f: FuzzFixtures, routeBody: BodySchema | undefined): Mutation[] {
  const schema = t.body ?? routeBody;
  const valid = t.valid?.(f);
  const out = schema && valid ? mutationsOf(schema, valid) : [];
  for (const e of t.extraInvalid ?? []) out.push({ kind: 'cross-field', payload: e.payload(f), field: e.field });
  return out;
}

/** Every systematic probe of one target: each mutation, each bad path parameter, unknown ids, non-JSON, wrong content types. */
export function systematicProbes(t: FuzzTarget, f: FuzzFixtures, mutations: readonly Mutation[]): Probe[] {
  const base = { target: t, method: t.method };
  const out: Probe[] = [];
  const url = knownUrl(t, f);
  const json = 'application/json';
  for (const m of mutations)
    out.push({ ...base, generator: m.kind, url, payload: m.payload, contentType: json, expect: { kind: 'field', field: m.field } });
  const valid = t.valid ? JSON.stringify(t.valid(f)) : undefined;
  for (const p of t.params ?? []) {
    for (const bad of p.bad) {
      const badUrl = fillPath(t, f, (q) => (q === p ? bad : (q.known?.(f) ?? q.unknown)));
      // A valid body beside the bad parameter: the parameter alone must be the refusal.
      out.push({
        ...base,
        generator: 'bad-param',
        url: badUrl,
        payload: valid,
        contentType: valid && json,
        expect: { kind: 'field', field: p.name },
      });
    }
  }
  if (t.params && t.unknownId !== 'never') {
    const unknownUrl = fillPath(t, f, (p) => p.unknown);
    out.push({ ...base, generator: 'unknown-id', url: unknownUrl, expect: { kind: t.unknownId === 'no-op' ? 'no-op' : 'refused' } });
  }
  for (const payload of NOT_JSON)
    out.push({ ...base, generator: 'not-json', url, payload, contentType: 'application/json', expect: { kind: 'refused' } });
  for (const [contentType, payload] of WRONG_TYPES)
    out.push({ ...base, generator: 'wrong-content-type', url, payload, contentType, expect: { kind: 'refused' } });
  // Over the body limit (1 MiB): refused before it is parsed.
  out.push({
    ...base,
    generator: 'too-large',
    url,
    payload: `{"a":"${'x'.repeat(1_100_000)}"}`,
    contentType: 'application/json',
    expect: { kind: 'refused' },
  });
  return out;
}

/**
 * One random probe of a target: mostly a random JSON body, else a random mutation or a
 * bad path parameter. A top-level `null` is never sent: hand-read bodies read it as no
 * body, which is valid where every field is optional.
 */
export function randomProbe(rng: Rng, t: FuzzTarget, f: FuzzFixtures, mutations: readonly Mutation[]): Probe {
  const base = { target: t, method: t.method };
  const url = knownUrl(t, f);
  const r = rng.next();
  if (r < 0.35 && mutations.length > 0) {
    const m = rng.pick(mutations);
    return {
      ...base,
      generator: `random-${m.kind}`,
      url,
      payload: m.payload,
      contentType: 'application/json',
      expect: { kind: 'field', field: m.field },
    };
  }
  if (r < 0.45 && t.params && t.params.length > 0) {
    const p = rng.pick(t.params);
    const bad = rng.pick(p.bad);
    const badUrl = fillPath(t, f, (q) => (q === p ? bad : (q.known?.(f) ?? q.unknown)));
    return {
      ...base,
      generator: 'random-bad-param',
      url: badUrl,
      payload: randomObject(rng),
      contentType: 'application/json',
      expect: { kind: 'refused' },
    };
  }
  let payload = randomJson(rng);
  while (payload === 'null') payload = randomJson(rng);
  // Half of them objects: the shape a route expects, with fields it does not.
  if (rng.chance(0.5)) payload = randomObject(rng);
  return { ...base, generator: 'random-json', url, payload, contentType: 'application/json', expect: { kind: 'refused' } };
}
