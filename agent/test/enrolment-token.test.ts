import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@ballast/common';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG } from '../src/config/agent-config.ts';
import { resolveEnrolmentToken } from '../src/identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'ballast-enrolment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = `blse_${'a'.repeat(43)}`;

describe('the agent enrolment token', () => {
  it('comes from BALLAST_ENROLMENT_TOKEN, and a malformed one stops the agent naming the field', () => {
    expect(loadConfig(AGENT_CONFIG, [], { BALLAST_ENROLMENT_TOKEN: TOKEN }).enrolmentToken).toBe(TOKEN);
    expect(() => loadConfig(AGENT_CONFIG, [], { BALLAST_ENROLMENT_TOKEN: 'blst_wrongkind' })).toThrow(ConfigError);
    expect(() => loadConfig(AGENT_CONFIG, [], { BALLAST_ENROLMENT_TOKEN: 'blst_wrongkind' })).toThrow(/enrolmentToken/);
  });

  it('comes from a file (a mounted Secret) when not given directly; the flag wins; none is empty', () => {
    const path = join(dir, 'token');
    writeFileSync(path, `${TOKEN}\n`);
    expect(resolveEnrolmentToken({ enrolmentToken: '', enrolmentTokenFile: path })).toBe(TOKEN);
    const other = `blse_${'b'.repeat(43)}`;
    expect(resolveEnrolmentToken({ enrolmentToken: other, enrolmentTokenFile: path })).toBe(other);
    expect(resolveEnrolmentToken({ enrolmentToken: '', enrolmentTokenFile: '' })).toBe('');
  });

  it('refuses an unreadable file or one without a token, naming the field', () => {
    expect(() => resolveEnrolmentToken({ enrolmentToken: '', enrolmentTokenFile: join(dir, 'missing') })).toThrow(/enrolmentTokenFile/);
    const junk = join(dir, 'junk');
    writeFileSync(junk, 'not a token');
    expect(() => resolveEnrolmentToken({ enrolmentToken: '', enrolmentTokenFile: junk })).toThrow(/does not hold an enrolment token/);
  });
});
