import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, describeConfig, field, loadConfig } from './config-loader.ts';

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

describe('loadConfig with a JSON config file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('reads field names as keys, from --config, --config=, BALLAST_CONFIG or the options', () => {
    const path = file('ok.json', { port: 9000, name: 'from-file', mode: 'safe', verbose: true });
    const want = { port: 9000, name: 'from-file', mode: 'safe', verbose: true };
    expect(loadConfig(SPEC, ['--config', path], {})).toEqual(want);
    expect(loadConfig(SPEC, [`--config=${path}`], {})).toEqual(want);
    expect(loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: path })).toEqual(want);
    expect(loadConfig(SPEC, [], {}, { file: path })).toEqual(want);
  });

  it('ranks flags over env over file over default, field by field', () => {
    const path = file('rank.json', { port: 9000, name: 'from-file', mode: 'safe' });
    const config = loadConfig(SPEC, ['--http-port=91', '--config', path], { APP_NAME: 'from-env' });
    expect(config).toEqual({ port: 91, name: 'from-env', mode: 'safe', verbose: false });
    // An empty env var does not hide the file's value, as it does not hide the default.
    expect(loadConfig(SPEC, [], { APP_NAME: '', [CONFIG_FILE_ENV]: path }).name).toBe('from-file');
  });

  it('prefers the --config flag over BALLAST_CONFIG, and options.file over both', () => {
    const a = file('a.json', { port: 1001 });
    const b = file('b.json', { port: 1002 });
    const c = file('c.json', { port: 1003 });
    expect(loadConfig(SPEC, ['--config', a], { [CONFIG_FILE_ENV]: b }).port).toBe(1001);
    expect(loadConfig(SPEC, ['--config', a], { [CONFIG_FILE_ENV]: b }, { file: c }).port).toBe(1003);
  });

  it('uses the injected reader', () => {
    const config = loadConfig(SPEC, [], {}, { file: 'virtual.json', readFile: () => '{"mode":"safe"}' });
    expect(config.mode).toBe('safe');
  });

  it('rejects an unknown key, naming the key and the file', () => {
    const path = file('unknown.json', { port: 1, colour: 'blue' });
    const e = configError(() => loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: path }));
    expect(e.field).toBe('colour');
    expect(e.message).toContain(path);
    expect(e.message).toContain('unknown key');
    expect(e.message).toContain('known keys: port, name, mode, verbose');
  });

  it('rejects flag or env spellings as keys (keys are field names)', () => {
    const path = file('flag-keys.json', { 'http-port': 1 });
    expect(configError(() => loadConfig(SPEC, ['--config', path], {})).field).toBe('http-port');
  });

  it.each([
    ['a string for an int', { port: '8080' }, 'port (--http-port / APP_PORT / PORT)', /expected a JSON number but got a string "8080"/],
    ['a number for a string', { name: 7 }, 'name (--name / APP_NAME)', /expected a JSON string but got a number 7/],
    ['a string for a bool', { verbose: 'true' }, 'verbose (--verbose / APP_VERBOSE)', /expected a JSON boolean but got a string/],
    ['null', { mode: null }, 'mode (--mode / APP_MODE)', /expected a JSON string but got null/],
    ['an array', { port: [1] }, 'port (--http-port / APP_PORT / PORT)', /expected a JSON number but got an array/],
  ])('rejects %s, naming the field and the file', (_case, content, fieldName, problem) => {
    const path = file('types.json', content);
    const e = configError(() => loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: path }));
    expect(e.field).toBe(fieldName);
    expect(e.message).toMatch(problem);
    expect(e.message).toContain(`(in config file ${path})`);
  });

  it.each([
    ['a fraction', { port: 80.5 }, /"80\.5" is not a whole number/],
    ['below min', { port: 0 }, /0 is below the minimum 1/],
    ['above max', { port: 70000 }, /70000 is above the maximum 65535/],
    ['an enum value not listed', { mode: 'slow' }, /"slow" is not one of fast, safe/],
    ['a failing check', { name: 'xray' }, /must not start with x/],
  ])('applies the same rules as flags and env: %s', (_case, content, problem) => {
    const path = file('rules.json', content);
    const e = configError(() => loadConfig(SPEC, ['--config', path], {}));
    expect(e.message).toMatch(problem);
    expect(e.message).toContain(path);
  });

  it('validates every file value, also one a flag or env var overrides', () => {
    const path = file('shadowed.json', { port: 'x' });
    const e = configError(() => loadConfig(SPEC, ['--http-port=81'], { [CONFIG_FILE_ENV]: path }));
    expect(e.field).toBe('port (--http-port / APP_PORT / PORT)');
  });

  it('runs check on a file value and names the file', () => {
    const e = configError(() => loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: file('check.json', { name: 'xyz' }) }));
    expect(e.field).toBe('name (--name / APP_NAME)');
    expect(e.message).toMatch(/must not start with x \(in config file .*check\.json\)$/);
  });

  it('reports a missing file, bad JSON and a non-object, naming the file and how it was given', () => {
    const missing = join(dir, 'missing.json');
    const e1 = configError(() => loadConfig(SPEC, ['--config', missing], {}));
    expect(e1.field).toBe(`config file ${missing} (--config / BALLAST_CONFIG)`);
    expect(e1.message).toContain('cannot be read');
    const e2 = configError(() => loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: file('bad.json', '{"port": 1,') }));
    expect(e2.message).toContain('is not valid JSON');
    const e3 = configError(() => loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: file('array.json', '[1]') }));
    expect(e3.message).toContain('must hold a JSON object');
  });

  it('treats an empty BALLAST_CONFIG as unset', () => {
    expect(loadConfig(SPEC, [], { [CONFIG_FILE_ENV]: '' }).port).toBe(8080);
  });

  it('refuses a spec that uses the reserved --config flag', () => {
    const spec = { c: field({ kind: 'string', flag: CONFIG_FILE_FLAG, env: [], default: '', help: '' }) };
    expect(() => loadConfig(spec, [], {})).toThrow(/reserved flag --config/);
  });

  it('describeConfig mentions --config and BALLAST_CONFIG', () => {
    expect(describeConfig(SPEC)).toMatch(/--config PATH\s+BALLAST_CONFIG/);
  });
});
