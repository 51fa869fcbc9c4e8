import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

type Kind = 'string' | 'int' | 'enum' | 'bool';

export interface FieldSpec<K extends Kind = Kind> {
  kind: K;
  /** Command-line flag without dashes, e.g. `http-port`. */
  flag: string;
  /** Environment variable(s), first one set wins. */
  env: string[];
  default: K extends 'int' ? number : K extends 'bool' ? boolean : string;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Extra check; returns an error message or null. */
  check?: (value: never) => string | null;
  help: string;
}

type ValueOf<F> = F extends FieldSpec<'int'> ? number : F extends FieldSpec<'bool'> ? boolean : string;
export type ConfigOf<S extends Record<string, FieldSpec>> = { [K in keyof S]: ValueOf<S[K]> };

export function field<K extends Kind>(spec: FieldSpec<K>): FieldSpec<K> {
  return spec;
}

/** The flag (without dashes) and env var that name a JSON config file; every loader accepts them. */
export const CONFIG_FILE_FLAG = 'config';
export const CONFIG_FILE_ENV = 'BALLAST_CONFIG';

export interface LoadConfigOptions {
  /** Config file to read; beats `--config` and `BALLAST_CONFIG`. */
  file?: string;
  /** Reads the file; tests may pass a fake. Default: `readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
}

/**
 * Reads every field from flags (`--name value` or `--name=value`), then environment, then
 * a JSON config file, then default, and validates it once. The file is named by
 * `options.file`, `--config PATH` or `BALLAST_CONFIG`; its keys are the field names
 * (`{"collectIntervalMs": 10000}`) and its values JSON numbers, booleans or strings as the
 * field's kind asks, checked by the same rules as flags and env. The first bad value
 * throws a {@link ConfigError} that names the field, its flag and its env var (and the
 * file, for a value from it), so a bad deployment stops at start-up.
 */
export function loadConfig<S extends Record<string, FieldSpec>>(
  spec: S,
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): ConfigOf<S> {
  const fieldFlags = Object.values(spec).map((f) => f.flag);
  if (fieldFlags.includes(CONFIG_FILE_FLAG)) throw new Error(`a config field may not use the reserved flag --${CONFIG_FILE_FLAG}`);
  const flags = parseFlags(argv, new Set([...fieldFlags, CONFIG_FILE_FLAG]));
  const path = (options.file ?? flags.get(CONFIG_FILE_FLAG) ?? (env[CONFIG_FILE_ENV] || undefined))?.trim();
  const file = path === undefined ? new Map<string, unknown>() : readConfigFile(spec, path, options.readFile ?? readUtf8);
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const envName = f.env.find((e) => env[e] !== undefined && env[e] !== '');
    const raw = flags.get(f.flag) ?? (envName ? env[envName] : undefined);
    const where = whereOf(name, f);
    out[name] = raw !== undefined ? parseValue(f, raw.trim(), where) : file.has(name) ? file.get(name) : f.default;
    const problem = f.check?.(out[name] as never);
    if (problem) throw new ConfigError(where, problem);
  }
  return out as ConfigOf<S>;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

function whereOf(name: string, f: FieldSpec): string {
  return `${name} (--${f.flag}${f.env.length ? ` / ${f.env.join(' / ')}` : ''})`;
}

/**
 * The file's values, parsed and checked, all of them (also those a flag or env var will
 * override: a wrong file is wrong). An unreadable file, bad JSON, an unknown key, a wrong
 * JSON type or a value the field's rules refuse throws.
 */
function readConfigFile(spec: Record<string, FieldSpec>, path: string, read: (path: string) => string): Map<string, unknown> {
  const where = `config file ${path} (--${CONFIG_FILE_FLAG} / ${CONFIG_FILE_ENV})`;
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    throw new ConfigError(where, `cannot be read: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(where, `is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ConfigError(where, 'must hold a JSON object whose keys are field names');
  for (const key of Object.keys(doc)) {
    if (!Object.hasOwn(spec, key))
      throw new ConfigError(key, `unknown key in config file ${path}; known keys: ${Object.keys(spec).join(', ')}`);
  }
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(doc)) {
    const f = spec[key] as FieldSpec;
    const where = whereOf(key, f);
    const parsed = fromFile(f, value, where, path);
    const problem = f.check?.(parsed as never);
    if (problem) throw new ConfigError(where, `${problem} (in config file ${path})`);
    values.set(key, parsed);
  }
  return values;
}

/** A file value must have the field's JSON type; it is then parsed by the same rules as a flag. */
function fromFile(f: FieldSpec, value: unknown, where: string, path: string): unknown {
  const expected = f.kind === 'int' ? 'number' : f.kind === 'bool' ? 'boolean' : 'string';
  if (typeof value !== expected) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ConfigError(where, `expected a JSON ${expected} but got ${got} ${JSON.stringify(value)} (in config file ${path})`);
  }
  return parseValue(f, String(value).trim(), where, ` (in config file ${path})`);
}

/** Parses a flag, env or file value; `suffix` (e.g. the file) is added to every problem. */
function parseValue(f: FieldSpec, raw: string, where: string, suffix = ''): unknown {
  switch (f.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(where, `"${raw}" is not a whole number${suffix}`);
      const n = Number(raw);
      if (f.min !== undefined && n < f.min) throw new ConfigError(where, `${n} is below the minimum ${f.min}${suffix}`);
      if (f.max !== undefined && n > f.max) throw new ConfigError(where, `${n} is above the maximum ${f.max}${suffix}`);
      return n;
    }
    case 'bool':
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      throw new ConfigError(where, `"${raw}" is not true or false${suffix}`);
    case 'enum':
      if (!f.values?.includes(raw)) throw new ConfigError(where, `"${raw}" is not one of ${f.values?.join(', ')}${suffix}`);
      return raw;
    default:
      return raw;
  }
}

function parseFlags(argv: string[], known: Set<string>): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'unexpected argument; flags look like --name value');
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!known.has(name)) throw new ConfigError(`--${name}`, `unknown flag; known flags: ${[...known].map((k) => `--${k}`).join(', ')}`);
    if (eq !== -1) flags.set(name, arg.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`--${name}`, 'flag needs a value');
      flags.set(name, next);
      i += 1;
    }
  }
  return flags;
}

/** Prints the fields as a help table (name, flag, env, default, help). */
export function describeConfig(spec: Record<string, FieldSpec>): string {
  const file = `  --${`${CONFIG_FILE_FLAG} PATH`.padEnd(24)} ${CONFIG_FILE_ENV.padEnd(34)} default none\n      JSON file of field names to values, e.g. {"${Object.keys(spec)[0] ?? 'field'}": …}; flags and env vars beat it`;
  const fields = Object.entries(spec).map(
    ([name, f]) => `  --${f.flag.padEnd(24)} ${f.env.join(', ').padEnd(34)} default ${JSON.stringify(f.default)}\n      ${name}: ${f.help}`,
  );
  return [file, ...fields].join('\n');
}
