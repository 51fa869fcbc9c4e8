import { ConfigError, loadConfig } from '@ballast/common';
import { describe, expect, it } from 'vitest';
import { accessConfigProblem } from './access-config.ts';
import { HUB_CONFIG } from './hub-config.ts';

describe('access config', () => {
  it('is secure by default: enrolment required, CORS off, no sign-up, /metrics behind a token', () => {
    const c = loadConfig(HUB_CONFIG, [], {});
    expect([c.agentEnrolment, c.corsOrigins, c.allowSignup, c.metricsAccess, c.adminPassword]).toEqual([
      'required',
      '',
      false,
      'token',
      '',
    ]);
  });

  it('reads each field from its env var', () => {
    const c = loadConfig(HUB_CONFIG, [], {
      BALLAST_ADMIN_USER: 'root',
      BALLAST_ADMIN_PASSWORD: 'twelve chars!',
      BALLAST_AGENT_ENROLMENT: 'open',
      BALLAST_CORS_ORIGINS: 'https://ops.example.com,http://localhost:5173',
      BALLAST_SESSION_TTL_HOURS: '8',
      BALLAST_LOGIN_MAX_FAILURES: '3',
    });
    expect([c.adminUser, c.adminPassword, c.agentEnrolment, c.corsOrigins, c.sessionTtlHours, c.loginMaxFailures]).toEqual([
      'root',
      'twelve chars!',
      'open',
      'https://ops.example.com,http://localhost:5173',
      8,
      3,
    ]);
  });

  it('stops on a bad value, naming the field', () => {
    const bad = (env: Record<string, string>, field: RegExp) => {
      expect(() => loadConfig(HUB_CONFIG, [], env)).toThrow(ConfigError);
      expect(() => loadConfig(HUB_CONFIG, [], env)).toThrow(field);
    };
    bad({ BALLAST_ADMIN_PASSWORD: 'short' }, /adminPassword/);
    bad({ BALLAST_AGENT_ENROLMENT: 'maybe' }, /agentEnrolment/);
    bad({ BALLAST_CORS_ORIGINS: 'ops.example.com' }, /corsOrigins/);
    bad({ BALLAST_CORS_ORIGINS: 'https://ops.example.com/path' }, /corsOrigins/);
    bad({ BALLAST_SESSION_IDLE_MINUTES: '0' }, /sessionIdleMinutes/);
  });

  it('wants TLS files in pairs, and a client CA only with a certificate', () => {
    expect(accessConfigProblem({ tlsCert: 'a', tlsKey: '', tlsClientCa: '' })).toMatch(/tlsCert.*tlsKey/);
    expect(accessConfigProblem({ tlsCert: '', tlsKey: '', tlsClientCa: 'ca' })).toMatch(/tlsClientCa/);
    expect(accessConfigProblem({ tlsCert: 'a', tlsKey: 'b', tlsClientCa: 'ca' })).toBeNull();
    expect(accessConfigProblem({ tlsCert: '', tlsKey: '', tlsClientCa: '' })).toBeNull();
  });
});
