/**
 * Where a V8 CPU profile's time went: self time by function and by package, from a
 * .cpuprofile (bench:store --profile DIR writes the hub's).
 *
 *   node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top 25] [--json]
 *
 * Self time is what a function ran itself, not its callees; "(program)" is V8/native work
 * outside JS (chDB's engine runs there, on the hub's main thread), "(idle)" is the event
 * loop waiting, "(garbage collector)" is GC.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  total_ms: number;
  busy_ms: number;
  by_function: ProfileShare[];
  by_package: ProfileShare[];
}

/** The package a script belongs to: node_modules/<pkg>, a workspace folder, or node: internals. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const ws = url.match(/\/(common|proto|kube|agent|hub|sim|testkit|console)\/src\//);
  return ws ? `@ballast/${ws[1]}` : url;
}

export function summarize(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const file = url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(url, functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>, n: number): ProfileShare[] =>
    [...m]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: busy > 0 ? Math.round((us / busy) * 1000) / 1000 : 0 }));
  return { total_ms: Math.round(total / 1000), busy_ms: Math.round(busy / 1000), by_function: rank(fn, top), by_package: rank(pkg, 15) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, json: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file) {
    console.error('usage: profile-summary.ts FILE.cpuprofile [--top N] [--json]');
    process.exit(2);
  }
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top));
  if (values.json) console.log(JSON.stringify(s, null, 2));
  else {
    console.log(`total ${s.total_ms} ms, busy ${s.busy_ms} ms (share = of busy time)`);
    console.log('\nby package:');
    for (const p of s.by_package) console.log(`  ${(p.share * 100).toFixed(1).padStart(5)}%  ${p.ms.toFixed(0).padStart(7)} ms  ${p.name}`);
    console.log('\nby function (self time):');
    for (const f of s.by_function)
      console.log(`  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
  }
}
