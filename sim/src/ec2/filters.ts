import { errors } from './errors.ts';
import type { QueryParams } from './query-parser.ts';

export interface Filter {
  name: string;
  values: string[];
}

export function parseFilters(params: QueryParams): Filter[] {
  return params.list('Filter').map((f) => ({ name: f.required('Name'), values: f.strings('Value') }));
}

/**
 * What a resource answers for a filter name: its values (any matching one passes), or
 * undefined when the name is not a filter of this resource type.
 */
export type FilterResolver<T> = (resource: T, name: string) => readonly string[] | undefined;

/** EC2 filter values take `*` and `?` wildcards. */
function wildcard(pattern: string): (value: string) => boolean {
  if (!/[*?]/.test(pattern)) return (v) => v === pattern;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
    's',
  );
  return (v) => re.test(v);
}

/** Filters combine with AND, a filter's values with OR; unknown names are an error, as on EC2. */
export function applyFilters<T>(items: readonly T[], filters: readonly Filter[], resolve: FilterResolver<T>): T[] {
  const compiled = filters.map((f) => ({ name: f.name, tests: f.values.map(wildcard) }));
  const probe = items[0];
  for (const f of compiled) if (probe !== undefined && resolve(probe, f.name) === undefined) throw errors.invalidFilter(f.name);
  return items.filter((item) =>
    compiled.every((f) => {
      const values = resolve(item, f.name);
      if (values === undefined) throw errors.invalidFilter(f.name);
      return values.some((v) => f.tests.some((t) => t(v)));
    }),
  );
}

/** The `tag:KEY`, `tag-key` and `tag-value` filters shared by every taggable resource. */
export function tagFilter(tags: Readonly<Record<string, string>>, name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const v = tags[name.slice(4)];
    return v === undefined ? [] : [v];
  }
  if (name === 'tag-key') return Object.keys(tags);
  if (name === 'tag-value') return Object.values(tags);
  return undefined;
}
