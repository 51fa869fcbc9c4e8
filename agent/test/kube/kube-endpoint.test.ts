import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inClusterEndpoint, KubeConfigError, kubeconfigEndpoint } from '../../src/kube/kube-endpoint.ts';
import { tempDirs } from '../pipeline/temp-dirs.ts';

const dirs = tempDirs('kube-endpoint');
afterAll(() => dirs.removeAll());

function kubeconfig(dir: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const path = join(dir, 'kubeconfig');
  // JSON is YAML too; the fields are those kubectl writes.
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'prod',
      contexts: [
        { name: 'other', context: { cluster: 'wrong', user: 'wrong' } },
        { name: 'prod', context: { cluster: 'c1', user: 'u1' } },
      ],
      clusters: [
        { name: 'wrong', cluster: { server: 'https://wrong.example:1' } },
        { name: 'c1', cluster: { server: 'https://10.1.2.3:6443', ...cluster } },
      ],
      users: [
        { name: 'wrong', user: { token: 'nope' } },
        { name: 'u1', user },
      ],
    }),
  );
  return path;
}

describe('kubeconfigEndpoint', () => {
  it('takes the current context’s server, CA data and inline token', async () => {
    const dir = dirs.make();
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
    const e = await kubeconfigEndpoint(
      kubeconfig(dir, { token: 'sekret' }, { 'certificate-authority-data': ca.toString('base64'), 'tls-server-name': 'api.internal' }),
    );
    expect(e.server.href).toBe('https://10.1.2.3:6443/');
    expect(e.ca).toEqual(ca);
    expect(e.tlsServerName).toBe('api.internal');
    expect(e.insecureSkipTlsVerify).toBe(false);
    expect(e.authorization()).toBe('Bearer sekret');
    expect(e.source).toBe(join(dir, 'kubeconfig'));
  });

  it('reads files relative to the kubeconfig, and a token file again on every request (tokens rotate)', async () => {
    const dir = dirs.make();
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs/ca.crt'), 'CA');
    writeFileSync(join(dir, 'certs/client.crt'), 'CERT');
    writeFileSync(join(dir, 'certs/client.key'), 'KEY');
    writeFileSync(join(dir, 'token'), 'first\n');
    const e = await kubeconfigEndpoint(
      kubeconfig(
        dir,
        { tokenFile: 'token', 'client-certificate': 'certs/client.crt', 'client-key': join(dir, 'certs/client.key') },
        { 'certificate-authority': 'certs/ca.crt' },
      ),
    );
    expect([e.ca?.toString(), e.cert?.toString(), e.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    expect(e.authorization()).toBe('Bearer first');
    writeFileSync(join(dir, 'token'), 'second\n');
    expect(e.authorization()).toBe('Bearer second');
  });

  it('sends basic auth or nothing when the user has no token', async () => {
    const basic = await kubeconfigEndpoint(kubeconfig(dirs.make(), { username: 'admin', password: 'pw' }));
    expect(basic.authorization()).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
    const none = await kubeconfigEndpoint(kubeconfig(dirs.make(), {}, { 'insecure-skip-tls-verify': true }));
    expect(none.authorization()).toBeUndefined();
    expect(none.insecureSkipTlsVerify).toBe(true);
  });

  it('refuses exec plugins and auth providers by name, and names the file', async () => {
    const path = kubeconfig(dirs.make(), { exec: { command: 'aws', args: ['eks', 'get-token'] } });
    const err = await kubeconfigEndpoint(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConfigError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain('exec plugin');
    await expect(kubeconfigEndpoint(kubeconfig(dirs.make(), { 'auth-provider': { name: 'gcp' } }))).rejects.toThrow(/auth provider/);
  });

  it('names a kubeconfig that is not YAML, or whose current context is missing', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'garbage'), '{{{');
    await expect(kubeconfigEndpoint(join(dir, 'garbage'))).rejects.toThrow(KubeConfigError);
    writeFileSync(join(dir, 'nocontext'), 'apiVersion: v1\ncurrent-context: gone\ncontexts: []\n');
    await expect(kubeconfigEndpoint(join(dir, 'nocontext'))).rejects.toThrow(/no context named "gone"/);
  });
});

describe('inClusterEndpoint', () => {
  function serviceAccount(token: string): string {
    const dir = dirs.make();
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(join(dir, 'ca.crt'), 'CLUSTER-CA');
    return dir;
  }

  it('uses KUBERNETES_SERVICE_HOST/PORT, the mounted CA and the token, re-read on each request', () => {
    const dir = serviceAccount('t1');
    const e = inClusterEndpoint({ KUBERNETES_SERVICE_HOST: '172.20.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(e.server.href).toBe('https://172.20.0.1/');
    expect(e.ca?.toString()).toBe('CLUSTER-CA');
    expect(e.authorization()).toBe('Bearer t1');
    writeFileSync(join(dir, 'token'), 't2');
    expect(e.authorization()).toBe('Bearer t2');
  });

  it('brackets an IPv6 service address', () => {
    const e = inClusterEndpoint({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccount('t'));
    expect(e.server.host).toBe('[fd00::1]:6443');
  });

  it('is a start-up error outside a pod or without the service account files', () => {
    expect(() => inClusterEndpoint({}, serviceAccount('t'))).toThrow(/in-cluster service account.*KUBERNETES_SERVICE_HOST/);
    expect(() => inClusterEndpoint({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, '/nonexistent')).toThrow(
      KubeConfigError,
    );
  });
});
