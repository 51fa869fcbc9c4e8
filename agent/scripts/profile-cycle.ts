/**
 * CPU per collection of the agent's hot path, in process, on a generated 110-pod cgroup tree:
 * each collector into a BatchBuilder, then the batch encoded as the disk buffer writes it.
 * A quick loop for tuning; bench/agent.ts is the real measurement.
 *
 *   node --import tsx agent/scripts/profile-cycle.ts [--cycles 50] [--pressure] [--include-sandboxes] [--no-keep-open]
 */
import { parseArgs } from 'node:util';
import { type Collector, collectInto } from '../src/collectors/collector.ts';
import { ContainerCollector } from '../src/collectors/container-collector.ts';
import { NodeCollector } from '../src/collectors/node-collector.ts';
import { NodePressureCollector } from '../src/collectors/node-pressure-collector.ts';
import { SelfCollector } from '../src/collectors/self-collector.ts';
import { BatchBuilder } from '../src/pipeline/batch-builder.ts';
import { encodeBatchRecord } from '../src/pipeline/disk-segment.ts';
import { SeriesRegistry } from '../src/pipeline/series-registry.ts';
import { makeCgroupTree } from '../test/fixtures/make-cgroup-tree.ts';

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '50' },
    pressure: { type: 'boolean', default: false },
    'include-sandboxes': { type: 'boolean', default: false },
    'no-keep-open': { type: 'boolean', default: false },
  },
});
const tree = makeCgroupTree({ version: 2, pods: 110, seed: 1 });
const onError = (source: string, err: unknown) => console.error(source, err);
const collectors: Collector[] = [
  new NodeCollector({ procNetDevPath: '/proc/net/dev', onError }),
  new NodePressureCollector({ onError }),
  new SelfCollector(),
  new ContainerCollector({
    root: tree.root,
    pressure: args.pressure,
    sandboxes: args['include-sandboxes'] ? 'include' : 'skip',
    keepOpen: !args['no-keep-open'],
    onError,
  }),
];
for (const c of collectors) await c.start();
const builder = new BatchBuilder(new SeriesRegistry(100_000));
const cpu = new Map<string, number>();
const time = async (name: string, fn: () => unknown) => {
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  cpu.set(name, (cpu.get(name) ?? 0) + (c.user + c.system) / 1000);
};
let points = 0;
let bytes = 0;
const cycles = Number(args.cycles);
for (let i = 0; i < cycles + 5; i++) {
  if (i === 5) cpu.clear();
  builder.begin();
  for (const c of collectors) await time(c.name, () => collectInto(c, builder));
  let batch: ReturnType<BatchBuilder['finish']> = null;
  await time('finish', () => {
    batch = builder.finish(Date.now());
  });
  await time('encode', () => {
    if (batch) bytes = encodeBatchRecord(1n, batch).length;
  });
  points = (batch as { values: number[] } | null)?.values.length ?? 0;
}
let total = 0;
for (const [name, ms] of cpu) {
  total += ms / cycles;
  console.log(`${name.padEnd(14)} ${(ms / cycles).toFixed(2)} ms`);
}
console.log(`${'total'.padEnd(14)} ${total.toFixed(2)} ms per cycle; ${points} points, ${bytes} B record`);
for (const c of collectors) await c.shutdown();
tree.cleanup();
