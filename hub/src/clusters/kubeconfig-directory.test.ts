import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@ballast/common';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterDirectory, KubeconfigDirectoryError, listClusters } from './kubeconfig-directory.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ballast-kubeconfigs-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('listClusters', () => {
  it('reads <cluster>.yaml as the default client and <client>/<cluster>.yaml as that client, skipping dot-files and other files', () => {
    const d = dir();
    writeFileSync(join(d, 'prod.yaml'), KUBECONFIG);
    writeFileSync(join(d, 'staging.kubeconfig'), KUBECONFIG);
    writeFileSync(join(d, 'README.md'), 'not a kubeconfig');
    mkdirSync(join(d, '..2026_11_23'));
    writeFileSync(join(d, '..2026_11_23', 'prod.yaml'), KUBECONFIG);
    symlinkSync(join(d, '..2026_11_23'), join(d, '..data'));
    mkdirSync(join(d, 'acme'));
    writeFileSync(join(d, 'acme', 'eu-1.yml'), KUBECONFIG);
    expect(listClusters(d, 'default').map((e) => [e.clientId, e.clusterId])).toEqual([
      ['acme', 'eu-1'],
      ['default', 'prod'],
      ['default', 'staging'],
    ]);
  });

  it('lists nothing for an empty setting, and names the setting when the directory is missing or a name is no id', () => {
    expect(listClusters('', 'default')).toEqual([]);
    expect(() => listClusters('/nonexistent/kubeconfigs', 'default')).toThrow(
      /--cluster-kubeconfig-dir\): \/nonexistent\/kubeconfigs is not a directory/,
    );
    const d = dir();
    writeFileSync(join(d, '-bad.yaml'), KUBECONFIG);
    expect(() => listClusters(d, 'default')).toThrow(KubeconfigDirectoryError);
  });
});

describe('ClusterDirectory', () => {
  it('opens a listed cluster once and answers null for one it has no kubeconfig for', () => {
    const d = dir();
    writeFileSync(join(d, 'prod.yaml'), KUBECONFIG);
    const clusters = new ClusterDirectory(listClusters(d, 'default'), systemClock);
    const api = clusters.access('default', 'prod');
    expect(api).not.toBeNull();
    expect(clusters.access('default', 'prod')).toBe(api);
    expect(clusters.access('acme', 'prod')).toBeNull();
    expect(clusters.access('default', 'other')).toBeNull();
  });
});
