// @vitest-environment happy-dom
import { cleanup, fireEvent, render, waitFor } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoragePage } from '../../src/pages/storage-page.tsx';
import type { Principal } from '../../src/state/roles.ts';
import { principal } from '../../src/state/session.ts';

const volume = { id: 'vol-0123456789abcdef0', sizeGib: 100, createdAt: '2025-01-01T00:00:00Z', monthlyCostUsd: 8 };
const snapshot = { id: 'snap-0123456789abcdef0', sizeGib: 20, startedAt: '2025-02-01T00:00:00Z', monthlyCostUsd: 1 };

/** The hub's storage answers, in-process: the wizard's gating is what is under test, not the hub. */
function fakeHub() {
  const calls: Array<{ path: string; body: unknown }> = [];
  const answer = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://hub').pathname;
    calls.push({ path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (path === '/api/v1/storage/volumes') return answer({ volumes: [volume], totals: { count: 1, monthlyCostUsd: 8 } });
    if (path === '/api/v1/storage/snapshots') return answer({ snapshots: [snapshot], totals: { count: 1, monthlyCostUsd: 1 } });
    if (path === '/api/v1/storage/dry-run') return answer({ volumes: [volume], snapshots: [snapshot], monthlySavingUsd: 9 });
    if (path === '/api/v1/storage/cleanup')
      return answer({ job: { id: 'job-1', status: 'pending' }, approval: null, plan: { volumes: [volume], snapshots: [snapshot] } }, 202);
    return answer({ error: { code: 'NOT_FOUND', message: `no route ${path}` } }, 404);
  });
  return { fetch, calls };
}

const as = (role: Principal['role']): Principal => ({ username: role, name: '', role, clientId: 'acme' });

describe('storage cleanup wizard', () => {
  let hub: ReturnType<typeof fakeHub>;
  beforeEach(() => {
    hub = fakeHub();
    vi.stubGlobal('fetch', hub.fetch);
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    principal.value = null;
  });

  it('lets a viewer run the dry run but not continue, and says why', async () => {
    principal.value = as('viewer');
    const ui = render(h(StoragePage, {}));
    fireEvent.click(await ui.findByTestId('wizard-dry-run'));
    await ui.findByTestId('storage-preview');
    expect(ui.getByTestId('preview-saving').textContent).toBe('$9.00');
    expect((ui.getByTestId('wizard-next') as HTMLButtonElement).disabled).toBe(true);
    expect(ui.getByTestId('gate-reason').textContent).toContain('viewer');
    expect(hub.calls.some((c) => c.path === '/api/v1/storage/cleanup')).toBe(false);
  });

  it('deletes only after an audit note and the acknowledgement, sending both', async () => {
    principal.value = as('operator');
    const ui = render(h(StoragePage, {}));
    fireEvent.click(await ui.findByTestId('wizard-dry-run'));
    await ui.findByTestId('storage-preview');
    fireEvent.click(ui.getByTestId('wizard-next'));

    const del = ui.getByTestId('wizard-delete') as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    expect(ui.getByTestId('gate-reason').textContent).toMatch(/audit note/);
    fireEvent.input(ui.getByLabelText('Audit note (why)'), { target: { value: 'old CI volumes' } });
    expect(del.disabled).toBe(true);
    expect(ui.getByTestId('gate-reason').textContent).toMatch(/Tick the box/);
    fireEvent.click(ui.getByTestId('wizard-ack'));
    expect(del.disabled).toBe(false);

    fireEvent.click(del);
    await waitFor(() => expect(hub.calls.some((c) => c.path === '/api/v1/storage/cleanup')).toBe(true));
    expect(hub.calls.find((c) => c.path === '/api/v1/storage/cleanup')?.body).toEqual({
      volumeIds: [volume.id],
      snapshotIds: [snapshot.id],
      snapshotBeforeDelete: false,
      confirm: true,
      note: 'old CI volumes',
    });
  });
});
