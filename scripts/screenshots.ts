/**
 * `npm run screenshots`: the demo (simulator + hub + agents, as `npm start` runs it) in a temp
 * dir, the console built fresh, and headless Chromium signed in as the first admin taking one
 * picture per main page into docs/screenshots/, so a reader sees the product without running it.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startTsProcess, waitFor } from '@ballast/testkit';
import type { Page } from 'playwright-core';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'docs/screenshots');
const ADMIN = { username: 'admin', password: 'screenshots-admin-password' };
/** Agents report every 10 s in the demo; two reports make charts and the cards worth a picture. */
const SETTLE_MS = Number(process.env.SCREENSHOTS_SETTLE_MS ?? 25_000);

/** Pages whose picture shows an endpoint the hub does not have: the run fails on them, after taking every picture. */
const missingRoutes: string[] = [];

async function shoot(page: Page, base: string, path: string, name: string): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.locator('main h1, .sign-in-card').first().waitFor({ timeout: 20_000 });
  // Pages load their parts in parallel; let the slowest answer and the charts draw.
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
  await page.waitForTimeout(path.includes('refresh=') ? 5_000 : 800);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
  const text = await page.locator('body').innerText();
  if (/no route/i.test(text)) missingRoutes.push(`${name} (${path})`);
  process.stdout.write(`  ${name}.png  ${path}\n`);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'ballast-screenshots-'));
  const dist = join(work, 'console');
  await build({ root: join(root, 'console'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const demo = startTsProcess('demo', 'scripts/start.ts', {
    PORT: '0',
    BALLAST_HTTP_HOST: '127.0.0.1',
    BALLAST_GRPC_HOST: '127.0.0.1',
    BALLAST_GRPC_PORT: '0',
    BALLAST_CHDB_PATH: join(work, 'chdb'),
    BALLAST_METADATA_PATH: join(work, 'metadata'),
    BALLAST_CONSOLE_DIR: dist,
    BALLAST_ADMIN_USER: ADMIN.username,
    BALLAST_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await launchBrowser();
  try {
    const line = await waitFor(
      'demo running',
      () => {
        if (demo.exitCode !== undefined) throw new Error(`the demo exited with ${demo.exitCode}\n${demo.tail()}`);
        return demo.output.find((l) => l.includes('console on http://'));
      },
      180_000,
      () => demo.tail(),
    );
    const port = /localhost:(\d+)/.exec(line)?.[1];
    if (!port) throw new Error(`no port in "${line}"`);
    const base = `http://127.0.0.1:${port}`;
    process.stdout.write(`demo on ${base}; letting agents report for ${SETTLE_MS / 1000} s\n`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));

    mkdirSync(OUT, { recursive: true });
    const { page } = browser;
    await page.setViewportSize({ width: 1280, height: 800 });
    await shoot(page, base, '/', 'sign-in');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user').waitFor({ timeout: 20_000 });

    const ids = await page.evaluate(async () => {
      const clients = (await (await fetch('/api/v1/clients')).json()) as { clients?: Array<{ id: string }> };
      const nodes = (await (await fetch('/api/v1/nodes')).json()) as { nodes?: Array<{ instanceId: string; tenant: string }> };
      return { client: clients.clients?.[0]?.id ?? nodes.nodes?.[0]?.tenant ?? 'default', instance: nodes.nodes?.[0]?.instanceId ?? '' };
    });
    const pages: Array<[string, string]> = [
      // A faster refresh here so two polls of the pipeline status give the ingest rate before the picture.
      ['/?refresh=1000', 'live-operations'],
      ['/fleet', 'fleet'],
      [`/clients/${encodeURIComponent(ids.client)}`, 'client-dashboard'],
      ...(ids.instance ? ([[`/instances/${encodeURIComponent(ids.instance)}`, 'instance-detail']] as Array<[string, string]>) : []),
      ['/agents', 'agents'],
      ['/utilization', 'utilization'],
      ['/jobs', 'jobs'],
      ['/approvals', 'approvals'],
      ['/overrides', 'overrides'],
      ['/storage', 'storage-cleanup'],
      ['/governance', 'governance'],
      ['/controls', 'controls'],
      ['/audit', 'audit-log'],
      ['/admin', 'users-and-tokens'],
      ['/profile', 'profile'],
    ];
    for (const [path, name] of pages) await shoot(page, base, path, name);
    if (missingRoutes.length > 0) throw new Error(`pages show "no route" (an endpoint the hub lacks): ${missingRoutes.join(', ')}`);
  } finally {
    await browser.close();
    await demo.stop();
    await rm(work, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
