import { describe } from './checks.ts';
import { ADVISOR_BUCKETS } from './pool-inputs.ts';
import { invalidModel } from './scoring-error.ts';
import { FACTORS, type ScoringModel, type ScoringParameters } from './scoring-model.ts';

/** A numeric leaf: the allowed range; open ends exclude the bound. */
interface Range {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}
type Spec = Range | { [key: string]: Spec };

const INF = Number.POSITIVE_INFINITY;
const fraction: Range = { min: 0, max: 1 };
const openFraction: Range = { min: 0, max: 1, minOpen: true, maxOpen: true };
const positive: Range = { min: 0, max: INF, minOpen: true };
const nonNegative: Range = { min: 0, max: INF };

/** The parameters' shape, in the order they are written back out; every key is required, no other is allowed. */
const PARAMETERS_SPEC: Spec = {
  cost: { alternativesShare: fraction },
  stability: {
    advisorMonthlyProbability: Object.fromEntries(ADVISOR_BUCKETS.map((b) => [b, openFraction])),
    unknownBucketMonthlyProbability: openFraction,
    priorStrengthInstanceHours: positive,
    rebalanceWeight: nonNegative,
    credibleLevel: openFraction,
    evidenceWindowHours: positive,
    interruptionProbabilityCeiling: { min: 0, max: 1, minOpen: true },
    volatilityWindowHours: positive,
    volatilityCvCeiling: positive,
    volatilityShare: fraction,
  },
  performance: {
    neutral: fraction,
    cpuStealCeilingPct: { min: 0, max: 100, minOpen: true },
    cpuThrottlingCeiling: { min: 0, max: 1, minOpen: true },
    latencyRatioCeiling: { min: 1, max: INF, minOpen: true },
    errorRateRatioCeiling: { min: 1, max: INF, minOpen: true },
  },
  capacity: { cooldownSeconds: nonNegative, failureLookbackSeconds: nonNegative, failurePenalty: fraction },
  thresholds: { fallbackMonthlyInterruptionProbability: openFraction, calmMonthlyInterruptionProbability: openFraction },
};

const WEIGHTS_SPEC: Spec = Object.fromEntries(FACTORS.map((f) => [f, nonNegative]));
const TOP_KEYS = ['name', 'version', 'description', 'weights', 'parameters'];

/**
 * Checks a scoring model and returns a clean copy (keys in canonical order, nothing
 * shared with the argument). Refuses, with a ScoringError (INVALID_MODEL) whose `field`
 * names the first wrong field:
 * - a missing or unknown key anywhere (a misspelt parameter must not silently fall back);
 * - a name that is not a non-empty string, a version that is not a positive integer, a
 *   description that is not a string;
 * - a weight that is negative or not finite, or weights summing to 0;
 * - a parameter outside its range (probabilities within (0, 1), windows and strengths
 *   > 0, ratio ceilings > 1, …);
 * - a calm threshold above the fallback threshold (the decision engine's hysteresis needs
 *   calm ≤ fallback), a failure lookback shorter than the cool-down.
 */
export function validateScoringModel(value: unknown): ScoringModel {
  const m = plainObject(value, 'model');
  for (const key of Object.keys(m)) if (!TOP_KEYS.includes(key)) throw unknownKey('', key, TOP_KEYS);
  if (typeof m.name !== 'string' || m.name.trim() === '')
    throw invalidModel('name', `must be a non-empty string (got ${describe(m.name)})`);
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) {
    throw invalidModel('version', `must be a positive integer (got ${describe(m.version)})`);
  }
  if (m.description !== undefined && typeof m.description !== 'string') {
    throw invalidModel('description', `must be a string when given (got ${describe(m.description)})`);
  }
  const weights = walk(m.weights, WEIGHTS_SPEC, 'weights') as ScoringModel['weights'];
  const sum = FACTORS.reduce((s, f) => s + weights[f], 0);
  if (!(sum > 0 && Number.isFinite(sum))) throw invalidModel('weights', `must sum to a positive number (sum is ${sum})`);
  const parameters = walk(m.parameters, PARAMETERS_SPEC, 'parameters') as ScoringParameters;
  const t = parameters.thresholds;
  if (t.calmMonthlyInterruptionProbability > t.fallbackMonthlyInterruptionProbability) {
    throw invalidModel(
      'parameters.thresholds.calmMonthlyInterruptionProbability',
      `must not exceed fallbackMonthlyInterruptionProbability (${t.fallbackMonthlyInterruptionProbability}), or a pool could be calm and due for fallback at once`,
    );
  }
  const c = parameters.capacity;
  if (c.failureLookbackSeconds < c.cooldownSeconds) {
    throw invalidModel('parameters.capacity.failureLookbackSeconds', `must be at least cooldownSeconds (${c.cooldownSeconds})`);
  }
  return {
    name: m.name,
    version: m.version,
    ...(m.description === undefined ? {} : { description: m.description }),
    weights,
    parameters,
  };
}

/**
 * Parses and validates a model uploaded as JSON.
 * Errors (INVALID_MODEL): field `model` when the text is not JSON (the parser's error is
 * the cause); otherwise as validateScoringModel().
 */
export function parseScoringModel(json: string): ScoringModel {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw invalidModel('model', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return validateScoringModel(value);
}

/** The model as JSON, keys in canonical order; parseScoringModel() gives back an equal model. Errors: as validateScoringModel(). */
export function scoringModelToJson(model: ScoringModel): string {
  return JSON.stringify(validateScoringModel(model), null, 2);
}

function walk(value: unknown, spec: Spec, path: string): unknown {
  if (isRange(spec)) return number(value, spec, path);
  const o = plainObject(value, path);
  const keys = Object.keys(spec);
  for (const key of Object.keys(o)) if (!keys.includes(key)) throw unknownKey(path, key, keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const at = join(path, key);
    if (!(key in o)) throw invalidModel(at, 'is required');
    out[key] = walk(o[key], spec[key] as Spec, at);
  }
  return out;
}

function number(value: unknown, r: Range, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidModel(path, `must be a finite number (got ${describe(value)})`);
  const low = r.minOpen ? value <= r.min : value < r.min;
  const high = r.maxOpen ? value >= r.max : value > r.max;
  if (low || high) {
    const range = `${r.minOpen ? '(' : '['}${r.min}, ${r.max === INF ? '∞)' : `${r.max}${r.maxOpen ? ')' : ']'}`}`;
    throw invalidModel(path, `must be within ${range} (got ${value})`);
  }
  return value;
}

function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidModel(path, `must be an object (got ${describe(value)})`);
  }
  return value as Record<string, unknown>;
}

function isRange(spec: Spec): spec is Range {
  return typeof (spec as Range).min === 'number' && typeof (spec as Range).max === 'number';
}

function unknownKey(path: string, key: string, known: readonly string[]): Error {
  return invalidModel(join(path, key), `unknown key (known: ${known.join(', ')})`);
}

/** A field path: `a.b`, or `a["<5%"]` for keys that are not identifiers (the advisor buckets). */
function join(path: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}
