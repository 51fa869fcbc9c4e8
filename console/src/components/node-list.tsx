import type { NodeInfo } from '../api/nodes-api.ts';
import { formatCount, timeAgo } from '../lib/format.ts';

export function nodeKey(n: NodeInfo): string {
  return `${n.tenant}/${n.cluster}/${n.node}`;
}

/** Healthy = connected and heard from within three refreshes. */
export function agentHealth(n: NodeInfo, nowMs: number, staleMs: number): 'ok' | 'stale' | 'down' {
  if (!n.connected) return 'down';
  const seen = Date.parse(n.lastSeen);
  return Number.isNaN(seen) || nowMs - seen > staleMs ? 'stale' : 'ok';
}

interface Props {
  nodes: NodeInfo[];
  /** Passed in so "Ns ago" advances with each refresh rather than per render. */
  nowMs: number;
  staleMs: number;
}

export function NodeList({ nodes, nowMs, staleMs }: Props) {
  return (
    <table class="data-table">
      <thead>
        <tr>
          <th>Node</th>
          <th>Cluster</th>
          <th>Instance type</th>
          <th>Lifecycle</th>
          <th>Agent</th>
          <th>Last seen</th>
          <th class="num">Buffer</th>
          <th>Health</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => {
          const health = agentHealth(n, nowMs, staleMs);
          return (
            <tr key={nodeKey(n)} data-testid="node-row" data-node={n.node}>
              <td class="mono">{n.instanceId ? <a href={`/instances/${encodeURIComponent(n.instanceId)}`}>{n.node}</a> : n.node}</td>
              <td>{n.cluster}</td>
              <td class="mono">{n.instanceType || '–'}</td>
              <td>
                <span class={`badge lifecycle-${n.lifecycle}`}>{n.lifecycle}</span>
              </td>
              <td class="mono">{n.agentVersion || '–'}</td>
              <td title={n.lastSeen}>{timeAgo(n.lastSeen, nowMs)}</td>
              <td class="num mono">{n.bufferDepth === undefined ? '–' : formatCount(n.bufferDepth)}</td>
              <td>
                <span class={`status ${health}`}>{health === 'ok' ? 'healthy' : health === 'stale' ? 'stale' : 'disconnected'}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
