import { describe, expect, it } from 'vitest';
import { parseScoringModel, scoringModelToJson, validateScoringModel } from './model-validation.ts';
import { ScoringError } from './scoring-error.ts';
import { DEFAULT_MODEL } from './scoring-model.ts';

/** A JSON copy of the default model to break one field of. */
// biome-ignore lint/suspicious/noExplicitAny: the tests write wrong types into arbitrary depths on purpose
function raw(): Record<string, any> {
  return JSON.parse(JSON.stringify(DEFAULT_MODEL));
}

function refused(value: unknown, field: string, message?: RegExp): void {
  const run = () => validateScoringModel(value);
  expect(run).toThrow(ScoringError);
  expect(run).toThrow(expect.objectContaining({ code: 'INVALID_MODEL', field }));
  if (message) expect(run).toThrow(message);
}

describe('validateScoringModel', () => {
  it('accepts the default model and returns a detached copy', () => {
    const m = validateScoringModel(DEFAULT_MODEL);
    expect(m).toEqual(DEFAULT_MODEL);
    expect(m.weights).not.toBe(DEFAULT_MODEL.weights);
    expect(Object.isFrozen(DEFAULT_MODEL.parameters.stability.advisorMonthlyProbability)).toBe(true);
  });

  it('refuses negative, non-finite and all-zero weights', () => {
    refused({ ...raw(), weights: { ...raw().weights, cost: -0.1 } }, 'weights.cost', /≥|\[0/);
    refused({ ...raw(), weights: { ...raw().weights, stability: Number.POSITIVE_INFINITY } }, 'weights.stability');
    refused({ ...raw(), weights: { cost: 0, stability: 0, performance: 0, capacity: 0 } }, 'weights', /positive/);
  });

  it('accepts weights that do not sum to 1', () => {
    expect(validateScoringModel({ ...raw(), weights: { cost: 4, stability: 4, performance: 1, capacity: 1 } }).weights.cost).toBe(4);
  });

  it('refuses unknown keys at any depth, naming them', () => {
    refused({ ...raw(), extra: 1 }, 'extra', /unknown key/);
    refused({ ...raw(), weights: { ...raw().weights, price: 1 } }, 'weights.price');
    const m = raw();
    m.parameters.stability.priorStrenght = 10;
    refused(m, 'parameters.stability.priorStrenght');
    const b = raw();
    b.parameters.stability.advisorMonthlyProbability['>30%'] = 0.3;
    refused(b, 'parameters.stability.advisorMonthlyProbability[">30%"]');
  });

  it('refuses missing keys', () => {
    const m = raw();
    delete m.parameters.capacity.cooldownSeconds;
    refused(m, 'parameters.capacity.cooldownSeconds', /required/);
    const w = raw();
    delete w.weights.performance;
    refused(w, 'weights.performance');
    const p = raw();
    delete p.parameters;
    refused(p, 'parameters', /object/);
  });

  it('refuses a bad name or version', () => {
    refused({ ...raw(), name: '' }, 'name');
    refused({ ...raw(), version: 0 }, 'version');
    refused({ ...raw(), version: 1.5 }, 'version');
    refused({ ...raw(), version: '1' }, 'version');
    refused({ ...raw(), description: 7 }, 'description');
  });

  it('refuses parameters out of range', () => {
    const cases: Array<[string[], unknown]> = [
      [['stability', 'priorStrengthInstanceHours'], 0],
      [['stability', 'rebalanceWeight'], -1],
      [['stability', 'credibleLevel'], 1],
      [['stability', 'volatilityShare'], 1.5],
      [['stability', 'unknownBucketMonthlyProbability'], 0],
      [['performance', 'latencyRatioCeiling'], 1],
      [['performance', 'cpuStealCeilingPct'], 0],
      [['capacity', 'cooldownSeconds'], -1],
      [['cost', 'alternativesShare'], '0.5'],
    ];
    for (const [[group, key], value] of cases) {
      const m = raw();
      m.parameters[group as string][key as string] = value;
      refused(m, `parameters.${group}.${key}`);
    }
    const b = raw();
    b.parameters.stability.advisorMonthlyProbability['<5%'] = 0;
    refused(b, 'parameters.stability.advisorMonthlyProbability["<5%"]', /\(0, 1\)/);
  });

  it('refuses a calm threshold above the fallback one and a lookback shorter than the cool-down', () => {
    const t = raw();
    t.parameters.thresholds = { fallbackMonthlyInterruptionProbability: 0.2, calmMonthlyInterruptionProbability: 0.3 };
    refused(t, 'parameters.thresholds.calmMonthlyInterruptionProbability');
    const c = raw();
    c.parameters.capacity.failureLookbackSeconds = 60;
    refused(c, 'parameters.capacity.failureLookbackSeconds');
  });

  it('refuses what is not an object', () => {
    refused(null, 'model');
    refused([], 'model');
    refused({ ...raw(), weights: [1, 2, 3, 4] }, 'weights');
  });
});

describe('JSON round trip', () => {
  it('gives back an equal model', () => {
    const json = scoringModelToJson(DEFAULT_MODEL);
    expect(parseScoringModel(json)).toEqual(DEFAULT_MODEL);
    expect(scoringModelToJson(parseScoringModel(json))).toBe(json);
  });

  it('keeps a model without a description without one', () => {
    const { description: _, ...m } = raw();
    expect('description' in parseScoringModel(JSON.stringify(m))).toBe(false);
  });

  it('refuses text that is not JSON, with the parser error as cause', () => {
    try {
      parseScoringModel('{ "name": ');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScoringError);
      expect(e).toMatchObject({ code: 'INVALID_MODEL', field: 'model' });
      expect((e as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });
});
