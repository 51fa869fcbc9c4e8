import { useMemo } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type uPlot from 'uplot';
import { type Alternative, fetchAlternatives, fetchSwitchHistory, type SwitchEntry } from '../api/instance-api.ts';
import { memoryPercent } from '../api/node-enrichment.ts';
import { fetchNodes, fetchSeries, type MetricsQueryResult, type NodeInfo } from '../api/nodes-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ForceOnDemand } from '../components/force-on-demand.tsx';
import { LineChart } from '../components/line-chart.tsx';
import { Time } from '../components/time.tsx';
import { formatMoney } from '../lib/format.ts';
import { switchSavingsSeries } from '../lib/switch-series.ts';
import { usePoll } from '../lib/use-poll.ts';
import { refreshMs } from '../state/config.ts';
import { canAct } from '../state/roles.ts';
import { principal } from '../state/session.ts';

const toAligned = (r: MetricsQueryResult | undefined): uPlot.AlignedData => {
  const pts = r?.series[0]?.points ?? [];
  return [pts.map((p) => p[0]), pts.map((p) => p[1])];
};

function ResourceCharts({ node }: { node: NodeInfo }) {
  const load = (metric: string) => async (signal: AbortSignal) => {
    const end = Date.now() / 1000;
    return fetchSeries({ metric, match: { node: node.node }, start: end - 3600, end, stepSeconds: 30 }, signal);
  };
  const cpu = usePoll(load('node_cpu_usage_percent'), refreshMs.value * 3, [node.node]);
  const mem = usePoll(
    async (signal: AbortSignal) => {
      const [used, total] = await Promise.all([load('node_memory_used_bytes')(signal), load('node_memory_total_bytes')(signal)]);
      return memoryPercent(used, total) ?? undefined;
    },
    refreshMs.value * 3,
    [node.node],
  );
  const cpuData = useMemo(() => toAligned(cpu.data), [cpu.data]);
  const memData = useMemo(() => toAligned(mem.data), [mem.data]);
  return (
    <div class="two-col">
      <section class="panel">
        <h2>CPU, last hour</h2>
        <AsyncView state={cpu} noun="CPU">
          {() => <LineChart data={cpuData} series={[{ label: 'CPU %', stroke: '#2f7ed8' }]} yRange={[0, 100]} yFormat={(v) => `${v}%`} />}
        </AsyncView>
      </section>
      <section class="panel">
        <h2>Memory, last hour</h2>
        <AsyncView state={mem} noun="memory">
          {() => (
            <LineChart data={memData} series={[{ label: 'Memory %', stroke: '#1f9d55' }]} yRange={[0, 100]} yFormat={(v) => `${v}%`} />
          )}
        </AsyncView>
      </section>
    </div>
  );
}

/** One instance: where it ran before, where it could run instead, its resources, and force on-demand. */
export function InstancePage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const who = principal.value;
  const node = usePoll<NodeInfo | null>(async (s) => (await fetchNodes(s)).find((n) => n.instanceId === id) ?? null, refreshMs.value, [id]);
  const history = usePoll<SwitchEntry[]>((s) => fetchSwitchHistory(id, s), refreshMs.value * 3, [id]);
  const alternatives = usePoll<Alternative[]>((s) => fetchAlternatives(id, s), 60_000, [id]);
  const n = node.data;
  return (
    <>
      <header class="page-head">
        <h1 class="mono">{id}</h1>
        {canAct(who) && <ForceOnDemand level="instances" id={id} label={`instance ${id}`} />}
      </header>
      {n && (
        <dl class="kv" data-testid="instance-facts">
          <dt>Node</dt>
          <dd class="mono">{n.node}</dd>
          <dt>Cluster</dt>
          <dd>{n.cluster}</dd>
          <dt>Pool</dt>
          <dd class="mono">
            {n.instanceType} · {n.availabilityZone}
          </dd>
          <dt>Lifecycle</dt>
          <dd>
            <span class={`badge lifecycle-${n.lifecycle}`} data-testid="instance-lifecycle">
              {n.lifecycle}
            </span>
          </dd>
        </dl>
      )}
      <section class="panel">
        <h2>Switch history</h2>
        <AsyncView state={history} noun="switch history" isEmpty={(d) => d.length === 0} empty="This instance has not been switched.">
          {(d) => (
            <>
              <SwitchChart entries={d} />
              <table class="data-table" data-testid="switch-history">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>From</th>
                    <th>To</th>
                    <th>Why</th>
                    <th>Outcome</th>
                    <th class="num">Saving/h</th>
                  </tr>
                </thead>
                <tbody>
                  {d.map((s) => (
                    <tr key={s.jobId ?? `${s.at}-${s.to}`} data-testid="switch-row" data-outcome={s.outcome ?? 'running'}>
                      <td>
                        <Time iso={s.at} />
                      </td>
                      <td class="mono">{s.from}</td>
                      <td class="mono">{s.to}</td>
                      <td>{s.reason}</td>
                      <td>
                        {s.outcome ?? 'running'}
                        {s.replacementId && s.replacementId !== id && (
                          <>
                            {' → '}
                            <a class="mono" href={`/instances/${encodeURIComponent(s.replacementId)}`}>
                              {s.replacementId}
                            </a>
                          </>
                        )}
                      </td>
                      <td class="num">{formatMoney(s.savingsPerHour)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </AsyncView>
      </section>
      <section class="panel">
        <h2>Best alternatives</h2>
        <AsyncView state={alternatives} noun="alternatives" isEmpty={(d) => d.length === 0}>
          {(d) => (
            <table class="data-table" data-testid="alternatives">
              <thead>
                <tr>
                  <th>Pool</th>
                  <th class="num">Price/h</th>
                  <th class="num">Score</th>
                  <th>Breakdown</th>
                </tr>
              </thead>
              <tbody>
                {d.slice(0, 5).map((a) => (
                  <tr key={a.pool}>
                    <td class="mono">{a.pool}</td>
                    <td class="num">{formatMoney(a.pricePerHour)}</td>
                    <td class="num">{a.score === null ? '–' : a.score.toFixed(3)}</td>
                    <td class="muted">{a.breakdown.map((f) => `${f.factor} ${f.value.toFixed(2)}`).join(' · ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </AsyncView>
      </section>
      {n && <ResourceCharts node={n} />}
    </>
  );
}

const SAVING_SERIES = [{ label: 'expected saving / h', stroke: '#2f7d4f', fill: 'rgba(47, 125, 79, 0.12)' }] as const;

/** Expected saving per hour of the switches so far, stepping up at each one that took effect. */
function SwitchChart({ entries }: { entries: SwitchEntry[] }) {
  const data = useMemo(() => switchSavingsSeries(entries), [entries]);
  if ((data[0]?.length ?? 0) === 0) return null;
  return <LineChart data={data} series={SAVING_SERIES} height={140} yFormat={(v) => formatMoney(v)} testId="switch-history-chart" />;
}
