import type { LabelMatcher } from '../store/metrics-store.ts';

/**
 * The `match[]` selector grammar, a subset of PromQL's:
 *   selector := [metric] '{' [matcher {',' matcher} [',']] '}'  |  metric
 *   matcher  := label ('=' | '!=' | '=~' | '!~') string
 *   string   := "…" or '…' (escapes \\ \" \' \n \r \t \uXXXX) or `…` (raw, no escapes)
 */

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const MAX_MATCHER_VALUE = 1024;

export class SelectorSyntaxError extends Error {}

export interface Selector {
  metric?: string;
  matchers: LabelMatcher[];
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t' };
const OPS = ['=~', '!~', '!=', '='] as const;

export function parseSelector(text: string): Selector {
  let i = 0;
  const fail = (what: string): never => {
    throw new SelectorSyntaxError(`${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const name = (pattern: RegExp): string => {
    const m = pattern.exec(text.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    const quote = text[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') return fail('expected a quoted value');
    i++;
    let out = '';
    while (i < text.length && text[i] !== quote) {
      const c = text[i] as string;
      if (c === '\\' && quote !== '`') {
        const e = text[i + 1] ?? '';
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (!(e in ESCAPES)) return fail(`unknown escape \\${e} (write \\\\ for a backslash, or use \`…\`)`);
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    if (i >= text.length) return fail(`unterminated ${quote}`);
    i++;
    return out;
  };

  skipSpace();
  const metric = name(/^[a-zA-Z_:][a-zA-Z0-9_:]*/) || undefined;
  skipSpace();
  const matchers: LabelMatcher[] = [];
  if (i === text.length && metric) return { metric, matchers };
  if (text[i] !== '{') return fail("expected '{'");
  i++;
  skipSpace();
  while (text[i] !== '}') {
    const label = name(/^[a-zA-Z_][a-zA-Z0-9_]*/);
    if (!label) return fail('expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)');
    skipSpace();
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) return fail(`expected =, !=, =~ or !~ after ${label}`);
    i += op.length;
    skipSpace();
    const value = quoted();
    if (value.length > MAX_MATCHER_VALUE) return fail(`the value of ${label} is longer than ${MAX_MATCHER_VALUE} characters`);
    if (op === '=~' || op === '!~') {
      const problem = regexProblem(value);
      if (problem) return fail(`bad regex for ${label}: ${problem}`);
    }
    matchers.push({ label, op, value });
    skipSpace();
    if (text[i] === ',') {
      i++;
      skipSpace();
    } else if (text[i] !== '}') {
      return fail("expected ',' or '}'");
    }
  }
  i++;
  skipSpace();
  if (i !== text.length) fail("unexpected text after '}'");
  return { metric, matchers };
}

/**
 * A cheap structural check of an RE2 pattern; ClickHouse does the real compile. It matters
 * because the store anchors patterns as `^(?:…)$`: an unbalanced `)` could close that group
 * and un-anchor the rest, so balance is checked here, outside escapes, `\Q…\E` and classes.
 */
export function regexProblem(pattern: string): string | null {
  let depth = 0;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) return 'ends with a lone backslash';
      if (pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      i += 2;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++; // a leading ] is a literal
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j += 2;
        else if (pattern.startsWith('[:', j)) {
          const close = pattern.indexOf(':]', j + 2);
          j = close < 0 ? j + 1 : close + 2;
        } else j++;
      }
      if (j >= pattern.length) return 'unterminated [';
      i = j + 1;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return 'unbalanced )';
    i++;
  }
  return depth > 0 ? 'missing )' : null;
}
