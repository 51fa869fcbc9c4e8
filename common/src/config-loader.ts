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

/**
 * Reads every field from flags (`--name value` or `--name=value`), then environment, then
 * default, and validates it once. The first bad value throws a {@link ConfigError} that
 * names the field, its flag and its env var, so a bad deployment stops at start-up.
 */
export function loadConfig<S extends Record<string, FieldSpec>>(
  spec: S,
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const flags = parseFlags(argv, new Set(Object.values(spec).map((f) => f.flag)));
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const envName = f.env.find((e) => env[e] !== undefined && env[e] !== '');
    const raw = flags.get(f.flag) ?? (envName ? env[envName] : undefined);
    const where = `${name} (--${f.flag}${f.env.length ? ` / ${f.env.join(' / ')}` : ''})`;
    out[name] = raw === undefined ? f.default : parseValue(f, raw.trim(), where);
    const problem = f.check?.(out[name] as never);
    if (problem) throw new ConfigError(where, problem);
  }
  return out as ConfigOf<S>;
}

function parseValue(f: FieldSpec, raw: string, where: string): unknown {
  switch (f.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(where, `"${raw}" is not a whole number`);
      const n = Number(raw);
      if (f.min !== undefined && n < f.min) throw new ConfigError(where, `${n} is below the minimum ${f.min}`);
      if (f.max !== undefined && n > f.max) throw new ConfigError(where, `${n} is above the maximum ${f.max}`);
      return n;
    }
    case 'bool':
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      throw new ConfigError(where, `"${raw}" is not true or false`);
    case 'enum':
      if (!f.values?.includes(raw)) throw new ConfigError(where, `"${raw}" is not one of ${f.values?.join(', ')}`);
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
  return Object.entries(spec)
    .map(
      ([name, f]) =>
        `  --${f.flag.padEnd(24)} ${f.env.join(', ').padEnd(34)} default ${JSON.stringify(f.default)}\n      ${name}: ${f.help}`,
    )
    .join('\n');
}
