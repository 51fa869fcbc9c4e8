import type { NodeInfo } from './api.ts';
import { timeAgo } from './format.ts';

export function nodeKey(n: NodeInfo): string {
  return `${n.tenant}/${n.cluster}/${n.node}`;
}

interface Props {
  nodes: NodeInfo[];
  /** Passed in so "Ns ago" advances with each refresh rather than per render. */
  nowMs: number;
}

export function NodeList({ nodes, nowMs }: Props) {
  return (
    <table class="node-table">
      <thead>
        <tr>
          <th>Node</th>
          <th>Cluster</th>
          <th>Instance type</th>
          <th>Lifecycle</th>
          <th>Agent</th>
          <th>Last seen</th>
          <th>Connected</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={nodeKey(n)} data-testid="node-row" data-node={n.node}>
            <td class="mono">{n.node}</td>
            <td>{n.cluster}</td>
            <td class="mono">{n.instanceType || '–'}</td>
            <td>
              <span class={`badge lifecycle-${n.lifecycle}`}>{n.lifecycle}</span>
            </td>
            <td class="mono">{n.agentVersion || '–'}</td>
            <td title={n.lastSeen}>{timeAgo(n.lastSeen, nowMs)}</td>
            <td>
              <span class={n.connected ? 'status ok' : 'status down'}>{n.connected ? 'yes' : 'no'}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
