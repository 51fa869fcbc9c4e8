import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { describeConfig, field, loadConfig } from './config-loader.ts';

const SPEC = {
  port: field({ kind: 'int', flag: 'http-port', env: ['APP_PORT', 'PORT'], default: 8080, min: 1, max: 65535, help: 'port' }),
  name: field({
    kind: 'string',
    flag: 'name',
    env: ['APP_NAME'],
    default: 'ballast',
    check: (v: string) => (v.startsWith('x') ? 'must not start with x' : null),
    help: 'name',
  }),
  mode: field({ kind: 'enum', flag: 'mode', env: ['APP_MODE'], default: 'fast', values: ['fast', 'safe'] as const, help: 'mode' }),
  verbose: field({ kind: 'bool', flag: 'verbose', env: ['APP_VERBOSE'], default: false, help: 'verbose' }),
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses defaults when neither flags nor env are set', () => {
    expect(loadConfig(SPEC, [], {})).toEqual({ port: 8080, name: 'ballast', mode: 'fast', verbose: false });
  });

  it('env beats defaults; the first set env var wins and empty env is ignored', () => {
    expect(loadConfig(SPEC, [], { PORT: '81', APP_MODE: 'safe', APP_VERBOSE: 'yes' })).toMatchObject({
      port: 81,
      mode: 'safe',
      verbose: true,
    });
    expect(loadConfig(SPEC, [], { APP_PORT: '82', PORT: '81' }).port).toBe(82);
    expect(loadConfig(SPEC, [], { APP_PORT: '', PORT: '81' }).port).toBe(81);
  });

  it('flags beat env, in both --x=v and --x v form', () => {
    const env = { APP_PORT: '81', APP_NAME: 'from-env' };
    expect(loadConfig(SPEC, ['--http-port=90', '--name', 'from-flag'], env)).toMatchObject({ port: 90, name: 'from-flag' });
    expect(loadConfig(SPEC, ['--http-port', '91'], env)).toMatchObject({ port: 91, name: 'from-env' });
  });

  it('keeps "=" inside a --x=v value and trims values', () => {
    expect(loadConfig(SPEC, ['--name=a=b'], {}).name).toBe('a=b');
    expect(loadConfig(SPEC, [], { APP_PORT: ' 83 ' }).port).toBe(83);
  });

  it('parses bool spellings', () => {
    expect(loadConfig(SPEC, ['--verbose', 'true'], {}).verbose).toBe(true);
    expect(loadConfig(SPEC, ['--verbose=1'], {}).verbose).toBe(true);
    expect(loadConfig(SPEC, ['--verbose=no'], { APP_VERBOSE: 'true' }).verbose).toBe(false);
    const e = configError(() => loadConfig(SPEC, ['--verbose=maybe'], {}));
    expect(e.field).toContain('verbose');
    expect(e.message).toContain('maybe');
  });

  it('rejects an unknown flag, naming it', () => {
    const e = configError(() => loadConfig(SPEC, ['--nope=1'], {}));
    expect(e.field).toBe('--nope');
    expect(e.message).toContain('--nope');
    expect(e.message).toContain('--http-port');
  });

  it('rejects a positional argument', () => {
    const e = configError(() => loadConfig(SPEC, ['stray'], {}));
    expect(e.message).toContain('stray');
  });

  it('rejects a flag without a value (at the end or followed by another flag)', () => {
    expect(configError(() => loadConfig(SPEC, ['--name'], {})).message).toMatch(/--name.*needs a value/);
    expect(configError(() => loadConfig(SPEC, ['--name', '--mode', 'safe'], {})).message).toMatch(/--name.*needs a value/);
  });

  it.each([
    ['non-integer', ['--http-port=8.5'], {}, /"8\.5" is not a whole number/],
    ['non-number', [], { APP_PORT: 'eighty' }, /"eighty" is not a whole number/],
    ['below min', ['--http-port', '0'], {}, /0 is below the minimum 1/],
    ['above max', [], { PORT: '65536' }, /65536 is above the maximum 65535/],
  ])('rejects an int that is %s, naming field, flag and env vars', (_case, argv, env, problem) => {
    const e = configError(() => loadConfig(SPEC, argv as string[], env as NodeJS.ProcessEnv));
    expect(e.message).toMatch(problem);
    for (const part of ['port', '--http-port', 'APP_PORT', 'PORT']) expect(e.message).toContain(part);
    expect(e.field).toBe('port (--http-port / APP_PORT / PORT)');
  });

  it('rejects an enum value not in values, listing the allowed ones', () => {
    const e = configError(() => loadConfig(SPEC, [], { APP_MODE: 'slow' }));
    expect(e.message).toContain('mode (--mode / APP_MODE)');
    expect(e.message).toContain('"slow" is not one of fast, safe');
  });

  it('runs check on the parsed value and reports its message', () => {
    const e = configError(() => loadConfig(SPEC, ['--name', 'xyz'], {}));
    expect(e.field).toBe('name (--name / APP_NAME)');
    expect(e.message).toBe('invalid configuration: name (--name / APP_NAME): must not start with x');
  });

  it('runs check on the default too', () => {
    const spec = {
      a: field({ kind: 'string', flag: 'a', env: [], default: '', check: (v: string) => (v ? null : 'must not be empty'), help: '' }),
    };
    const e = configError(() => loadConfig(spec, [], {}));
    expect(e.message).toBe('invalid configuration: a (--a): must not be empty');
  });

  it('describeConfig lists every flag, env var and default', () => {
    const text = describeConfig(SPEC);
    for (const part of ['--http-port', 'APP_PORT, PORT', 'default 8080', '--mode', 'default "fast"']) expect(text).toContain(part);
  });
});
