import { errors } from './errors.ts';

interface Node {
  value?: string;
  children: Map<string, Node>;
}

/**
 * The EC2 Query protocol's flattened parameters (`Filter.1.Value.2`,
 * `LaunchTemplateConfigs.1.Overrides.2.InstanceType`) as a tree: dots descend, numeric
 * segments are 1-based list positions. Accessors throw EC2's own errors on bad input.
 */
export class QueryParams {
  private constructor(
    private readonly node: Node,
    private readonly path: string,
  ) {}

  static parse(pairs: Iterable<[string, string]>): QueryParams {
    const root: Node = { children: new Map() };
    for (const [key, value] of pairs) {
      let n = root;
      for (const segment of key.split('.')) {
        let child = n.children.get(segment);
        if (!child) {
          child = { children: new Map() };
          n.children.set(segment, child);
        }
        n = child;
      }
      n.value = value;
    }
    return new QueryParams(root, '');
  }

  private at(key: string): Node | undefined {
    let n: Node | undefined = this.node;
    for (const segment of key.split('.')) n = n?.children.get(segment);
    return n;
  }

  private name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.at(key) !== undefined;
  }

  string(key: string): string | undefined {
    return this.at(key)?.value;
  }

  required(key: string): string {
    const v = this.string(key);
    if (v === undefined || v === '') throw errors.missing(this.name(key));
    return v;
  }

  int(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = range;
    if (!Number.isInteger(n) || n < min || n > max) throw errors.invalidValue(`Invalid value '${v}' for ${this.name(key)}`);
    return n;
  }

  number(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw errors.invalidValue(`Invalid value '${v}' for ${this.name(key)}`);
    return n;
  }

  bool(key: string): boolean | undefined {
    const v = this.string(key);
    return v === undefined ? undefined : v === 'true';
  }

  /** Epoch ms of an ISO 8601 timestamp. */
  time(key: string): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw errors.invalidValue(`Invalid value '${v}' for ${this.name(key)}`);
    return ms;
  }

  /** A list of structures: `key.1.*`, `key.2.*`, … in index order. */
  list(key: string): QueryParams[] {
    const n = this.at(key);
    if (!n) return [];
    return [...n.children.entries()]
      .filter(([i]) => /^\d+$/.test(i))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([i, child]) => new QueryParams(child, this.name(`${key}.${i}`)));
  }

  /** A list of strings: `key.1`, `key.2`, … */
  strings(key: string): string[] {
    return this.list(key).flatMap((p) => (p.node.value === undefined ? [] : [p.node.value]));
  }

  struct(key: string): QueryParams | undefined {
    const n = this.at(key);
    return n ? new QueryParams(n, this.name(key)) : undefined;
  }

  /** Flat `key=value` pairs under this node, sorted; used to compare idempotent requests. */
  canonical(exclude: readonly string[] = []): string {
    const out: string[] = [];
    const walk = (n: Node, prefix: string) => {
      if (n.value !== undefined && !exclude.includes(prefix)) out.push(`${prefix}=${n.value}`);
      for (const [k, c] of n.children) walk(c, prefix ? `${prefix}.${k}` : k);
    };
    walk(this.node, '');
    return out.sort().join('&');
  }
}
