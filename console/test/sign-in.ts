import type { Page } from 'playwright-core';

/**
 * Signs in through the console's own form, as a person would, then waits for the shell to
 * show who is signed in. `path` keeps its query (e.g. ?refresh=500) across the sign-in.
 */
export async function signInThroughPage(page: Page, baseUrl: string, path: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`, { timeout: 10_000 });
  const form = page.getByTestId('sign-in-form');
  await form.waitFor({ timeout: 10_000 });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 10_000 });
}
