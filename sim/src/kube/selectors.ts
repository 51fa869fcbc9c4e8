import { badRequest } from './api-error.ts';
import type { KubeObject, LabelSelector } from './types.ts';

/**
 * Label and field selectors: the string form clients send in `labelSelector` /
 * `fieldSelector` query parameters, and the structured `LabelSelector` that PDBs,
 * ReplicaSets and DaemonSets carry. Both compile to one predicate shape.
 */
export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; values: [string] };

export type Labels = Record<string, string> | undefined;

export function matchesRequirements(reqs: readonly Requirement[], labels: Labels): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case '=':
      case 'in':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v as string)) return false;
        break;
    }
  }
  return true;
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`. */
export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text) return [];
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const p = part.trim();
    if (!p) continue;
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      reqs.push({ key: set[1] as string, op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const eq = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (eq) {
      reqs.push({ key: eq[1] as string, op: eq[2] === '!=' ? '!=' : '=', values: [eq[3] as string] });
      continue;
    }
    if (/^![^\s!=]+$/.test(p)) reqs.push({ key: p.slice(1), op: '!exists' });
    else if (/^[^\s!=()]+$/.test(p)) reqs.push({ key: p, op: 'exists' });
    else throw badRequest(`unable to parse requirement: ${p}`);
  }
  return reqs;
}

/** Commas inside `( )` belong to a set, not to the list of requirements. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export function compileLabelSelector(sel: LabelSelector | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: '=', values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else reqs.push({ key: e.key, op: '!exists' });
  }
  return reqs;
}

/**
 * A PDB or workload selector. Kubernetes treats an empty (`{}`) selector on a policy/v1
 * PDB as matching every pod in the namespace, and a missing one as matching none.
 */
export function selectorMatches(sel: LabelSelector | undefined, labels: Labels): boolean {
  if (!sel) return false;
  return matchesRequirements(compileLabelSelector(sel), labels);
}

export interface FieldRequirement {
  path: string[];
  op: '=' | '!=';
  value: string;
}

/** Parses `spec.nodeName=x,status.phase!=Failed`. */
export function parseFieldSelector(text: string | null | undefined): FieldRequirement[] {
  if (!text) return [];
  return text
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p) => {
      const m = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(p);
      if (!m) throw badRequest(`invalid field selector: ${p}`);
      return { path: (m[1] as string).split('.'), op: m[2] === '!=' ? '!=' : '=', value: m[3] as string };
    });
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    let v: unknown = obj;
    for (const k of r.path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    const s = v === undefined || v === null ? '' : String(v);
    if ((s === r.value) !== (r.op === '=')) return false;
  }
  return true;
}

/** The value a field selector pins a field to, so a list can use an index instead of a scan. */
export function pinnedField(reqs: readonly FieldRequirement[], dotted: string): string | undefined {
  return reqs.find((r) => r.op === '=' && r.path.join('.') === dotted)?.value;
}

/** `selectorMatches` compiled once, for matching many objects against one selector. */
export function selectorPredicate(sel: LabelSelector | undefined): (labels: Labels) => boolean {
  if (!sel) return () => false;
  const reqs = compileLabelSelector(sel);
  return (labels) => matchesRequirements(reqs, labels);
}
