/**
 * The environment an agent (and its setup commands) starts with. Not the harness's own: that
 * holds the model key, cloud credentials, tokens of the CI job — nothing an agent under test
 * should see unless the user says so. An agent gets the basic variables a program needs to run
 * (AGENT_ENV_ALLOWED, documented in docs/security.md), the variables costar.yaml and the
 * scenario name under `passEnv:`, their `env:` values, and the COSTAR_* / OTEL_* variables
 * the harness sets itself.
 */
import type { AgentConfig, ScenarioDef } from '../core/scenario/schema';

/** Passed through when set. Names ending in * are prefixes. */
export const AGENT_ENV_ALLOWED: readonly string[] = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TMPDIR', 'TMP', 'TEMP',
  'TERM', 'COLORTERM', 'NO_COLOR', 'FORCE_COLOR',
  'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME',
  'VIRTUAL_ENV', 'CONDA_PREFIX', 'PYTHONIOENCODING', 'PYTHONUTF8',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS',
  // Windows needs these to start most programs at all.
  'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'COMSPEC', 'ComSpec', 'PATHEXT', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'ProgramData',
];

export function matchesEnvName(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** The variables of `from` that an agent of this scenario may see (see the module comment). */
export function agentBaseEnv(from: NodeJS.ProcessEnv, agent: Pick<AgentConfig, 'passEnv'>, def: Pick<ScenarioDef, 'setup'>): NodeJS.ProcessEnv {
  const allowed = [...AGENT_ENV_ALLOWED, ...(agent.passEnv ?? []), ...(def.setup.passEnv ?? [])];
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && matchesEnvName(name, allowed)) env[name] = value;
  }
  return env;
}
