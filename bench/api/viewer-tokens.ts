/**
 * Console users' credentials for the API benchmark, made the way a person makes them: the
 * hub's first admin signs in (session cookie + CSRF token) and asks POST /api/v1/tokens for
 * viewer tokens bound to one client. One token per simulated user, so each counts against
 * its own rate-limit budget and is looked up on its own, as 50 people's would be.
 */
export async function viewerTokens(
  baseUrl: string,
  admin: { username: string; password: string },
  clientId: string,
  count: number,
): Promise<string[]> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (login.status !== 200) throw new Error(`admin sign-in answered ${login.status}: ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const made = await fetch(`${baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: `bench viewer ${i}`, role: 'viewer', clientId, expiresInDays: 1 }),
    });
    if (made.status !== 201) throw new Error(`viewer token ${i} answered ${made.status}: ${await made.text()}`);
    tokens.push(((await made.json()) as { token: string }).token);
  }
  return tokens;
}
