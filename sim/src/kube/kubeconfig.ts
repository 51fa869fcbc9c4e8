import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A kubeconfig for a plain-HTTP server. Both kubectl and client-node need
 * `insecure-skip-tls-verify: true` to accept an `http://` server; the token is ignored by
 * the simulator but makes clients send an Authorization header as they would in EKS.
 */
export function kubeconfigYaml(clusterName: string, url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${clusterName}`,
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: ballast-sim',
    '  user:',
    '    token: ballast-sim-token',
    'contexts:',
    `- name: ${clusterName}`,
    '  context:',
    `    cluster: ${clusterName}`,
    '    user: ballast-sim',
    '    namespace: default',
    `current-context: ${clusterName}`,
    '',
  ].join('\n');
}

/** Writes the kubeconfig into a fresh temp directory and returns its path. */
export function writeKubeconfig(clusterName: string, url: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ballast-kube-${clusterName.replace(/[^\w-]/g, '_')}-`));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, kubeconfigYaml(clusterName, url), { mode: 0o600 });
  return path;
}
