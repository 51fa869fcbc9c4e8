import { describe, expect, it } from 'vitest';
import { parseSelector, regexProblem, SelectorSyntaxError } from './label-matchers.ts';

const syntaxError = (text: string): string => {
  try {
    parseSelector(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SelectorSyntaxError);
    return (err as Error).message;
  }
  throw new Error(`expected ${text} to be refused`);
};

describe('parseSelector', () => {
  it('parses the four operators, in order', () => {
    expect(parseSelector('{node="a",mode=~"user|system",cluster!="x",pod!~"p-.*"}')).toEqual({
      metric: undefined,
      matchers: [
        { label: 'node', op: '=', value: 'a' },
        { label: 'mode', op: '=~', value: 'user|system' },
        { label: 'cluster', op: '!=', value: 'x' },
        { label: 'pod', op: '!~', value: 'p-.*' },
      ],
    });
  });

  it('allows spaces, a trailing comma, an empty set and a metric name', () => {
    expect(parseSelector('  node_cpu:rate5m { node = "a" , } ')).toEqual({
      metric: 'node_cpu:rate5m',
      matchers: [{ label: 'node', op: '=', value: 'a' }],
    });
    expect(parseSelector('{}')).toEqual({ metric: undefined, matchers: [] });
    expect(parseSelector('node_load1')).toEqual({ metric: 'node_load1', matchers: [] });
  });

  it('reads escapes in "…" and \'…\' and none in `…`', () => {
    // As typed in a URL: {a="x\"y\\z\n\t\u00e9", b='it\'s', c=`a\.b"`}
    const text = ['{a="x\\"y\\\\z\\n\\t\\u00e9"', "b='it\\'s'", 'c=`a\\.b"`}'].join(', ');
    expect(parseSelector(text).matchers.map((m) => m.value)).toEqual(['x"y\\z\n\té', "it's", 'a\\.b"']);
  });

  it('keeps values with SQL and selector metacharacters as plain text', () => {
    const nasty = `'; DROP TABLE samples; -- ) OR 1=1 {x:String} ’ \``;
    expect(parseSelector(`{a=${JSON.stringify(nasty)}}`).matchers[0]?.value).toBe(nasty);
  });

  it.each([
    ['{node="a"', /expected ',' or '}' at offset 9/],
    ['{node="a}', /unterminated "/],
    ['{node=a}', /expected a quoted value at offset 6/],
    ['{1node="a"}', /expected a label name/],
    ['{node=="a"}', /expected a quoted value/],
    ['{node<>"a"}', /expected =, !=, =~ or !~ after node/],
    ['{node="a"} x', /unexpected text after '}'/],
    ['{node="a" mode="b"}', /expected ',' or '}'/],
    [String.raw`{a="\d"}`, /unknown escape \\d/],
    ['node-a{}', /expected '\{'/],
    ['', /expected '\{' at offset 0/],
    ['{a=~"(x"}', /bad regex for a: missing \)/],
    [`{a="${'x'.repeat(1025)}"}`, /longer than 1024/],
  ])('refuses %s', (text, message) => {
    expect(syntaxError(text)).toMatch(message);
  });
});

describe('regexProblem', () => {
  it.each(['', 'a|b', '(a|b)+', 'user|sys.*', '[)]', '[^)(]', '[]a]', '\\)', '\\(\\(', '[[:alpha:])]+', '\\Q)(\\E', '(?i)abc', '(?P<n>x)'])(
    'accepts %s',
    (re) => {
      expect(regexProblem(re)).toBeNull();
    },
  );

  it.each([
    ['a)|(b', 'unbalanced )'],
    [')', 'unbalanced )'],
    ['(a', 'missing )'],
    ['[a', 'unterminated ['],
    ['a\\', 'ends with a lone backslash'],
  ])('refuses %s: %s', (re, problem) => {
    expect(regexProblem(re)).toBe(problem);
  });
});
