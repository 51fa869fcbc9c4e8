import { readFileSync } from 'node:fs';
import { ConfigError } from '@ballast/common';
import { DecisionError } from './decision-error.ts';
import { DEFAULT_POLICIES, type DecisionPolicies, decisionPolicies } from './decision-policies.ts';
import { DECISION_KINDS } from './decision-types.ts';

/** What a policies file may set: everything but the scoring model, which is the active one in the store. */
export type PolicyOverrides = Partial<Omit<DecisionPolicies, 'model'>>;

const FIELD = 'decisionPoliciesFile';
const NESTED: Record<string, readonly string[]> = {
  validationDelayMs: DECISION_KINDS,
  maxConcurrentDisruptions: ['share', 'min'],
};

/**
 * Reads the decision policies a hub's loops run under (JSON: any of DEFAULT_POLICIES' fields
 * but `model`; what it leaves out keeps its default). Checks all of it before the hub starts:
 * an unreadable file, bad JSON, an unknown field, a wrong JSON type or a value out of range
 * throws a ConfigError naming the file and the field, so a typo never runs as a default.
 */
export function readPolicyOverrides(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): PolicyOverrides {
  const fail = (message: string) => new ConfigError(`${FIELD} ${path} (--decision-policies-file)`, message);
  let doc: unknown;
  try {
    doc = JSON.parse(read(path));
  } catch (err) {
    throw fail(err instanceof SyntaxError ? `is not valid JSON: ${err.message}` : `cannot be read: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw fail('must hold a JSON object of policy fields');
  const known = Object.keys(DEFAULT_POLICIES).filter((k) => k !== 'model');
  for (const [key, value] of Object.entries(doc)) {
    if (!known.includes(key)) throw fail(`unknown field "${key}" (known: ${known.join(', ')})`);
    const expected = DEFAULT_POLICIES[key as keyof DecisionPolicies];
    const nested = NESTED[key];
    if (nested) {
      if (!isObject(value)) throw fail(`${key} must be an object with ${nested.join(', ')}`);
      for (const [k, v] of Object.entries(value)) {
        if (!nested.includes(k)) throw fail(`unknown field "${key}.${k}" (known: ${nested.join(', ')})`);
        if (typeof v !== 'number') throw fail(`${key}.${k} must be a number (got ${JSON.stringify(v)})`);
      }
    } else if (Array.isArray(expected)) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw fail(`${key} must be an array of strings`);
    } else if (typeof value !== typeof expected) {
      throw fail(`${key} must be a ${typeof expected} (got ${JSON.stringify(value)})`);
    }
  }
  const overrides = doc as PolicyOverrides;
  try {
    decisionPolicies(overrides);
  } catch (err) {
    if (err instanceof DecisionError) throw fail(err.message.replace(/^invalid decision policy: /, ''));
    throw err;
  }
  return overrides;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
