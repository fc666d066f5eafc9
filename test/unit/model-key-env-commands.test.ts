/**
 * Every `costar` command that can call a model says, as `costar run` and `rescore` do, that
 * costar.yaml names a key variable the user has not approved (and so it was not read), without
 * ever printing the variable's value. One test per command; the commands run in this process
 * (mcp as a real process: it speaks on stdin/stdout). Requires `npm run build` for mcp.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { CliCommand } from '../../src/cli/command';
import { agreementCommand } from '../../src/cli/commands/agreement';
import { alignCommand } from '../../src/cli/commands/align';
import { labelCommand } from '../../src/cli/commands/label';
import { monitorReportCommand } from '../../src/cli/commands/monitor';
import { promoteCommand } from '../../src/cli/commands/promote';
import { refineCommand } from '../../src/cli/commands/refine';
import { goldenFixture, traceId, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';
import { runCommandInProcess } from '../support/cliInProcess';
import { CLI } from '../support/workspace';

const SECRET = 'ghp-never-printed-4711';
const WARNING = /^warning: costar\.yaml names model\.apiKeyEnv "GITHUB_TOKEN", which coSTAR does not read without your approval .*set COSTAR_ALLOW_KEY_ENV=GITHUB_TOKEN/m;
const CONFIG = 'agents:\n  cleaner:\n    command: [node, agent.mjs]\njudges: judges\n';

const COMMANDS: [name: string, command: CliCommand, args: string[]][] = [
  ['align', alignCommand, ['quality']],
  ['agreement --evaluate', agreementCommand, ['--evaluate']],
  ['label --samples', labelCommand, ['quality', '--samples', '2', '--labeller', 'ana']],
  ['refine', refineCommand, ['--agent', 'cleaner']],
  ['promote --with-model', promoteCommand, [traceId(1), '--with-model', '--out', 'promoted.scenario.yaml']],
  ['monitor report', monitorReportCommand, []],
];

describe('costar.yaml names GITHUB_TOKEN as the model key', () => {
  let fixture: GoldenFixture;
  before(async () => {
    fixture = await goldenFixture({ good: 1, terse: 1, vague: 0 });
    fixture.ws.write('costar.monitor.yaml', 'minSamples: 1\njudges:\n  - judge: quality\n');
  });
  after(() => fixture.ws.dispose());

  const useConfig = (model: string) => fixture.ws.write('costar.yaml', `${CONFIG}${model}`);

  for (const [name, command, args] of COMMANDS) {
    it(`costar ${name} warns that the variable is not read, naming it and never its value`, async () => {
      useConfig('model:\n  apiKeyEnv: GITHUB_TOKEN\n');
      const refused = await runCommandInProcess(command, args, fixture.ws.dir, { GITHUB_TOKEN: SECRET });
      assert.match(refused.stderr, WARNING, refused.stderr);
      assert.ok(!`${refused.stdout}${refused.stderr}`.includes(SECRET), 'the key value was printed');
      // Without an unapproved variable in costar.yaml there is nothing to warn about.
      useConfig('');
      const plain = await runCommandInProcess(command, args, fixture.ws.dir, { GITHUB_TOKEN: SECRET });
      assert.doesNotMatch(plain.stderr, /names model\.apiKeyEnv/, plain.stderr);
    });
  }

  it('costar mcp warns on stderr when it starts (stdout is the protocol\'s)', async () => {
    useConfig('model:\n  apiKeyEnv: GITHUB_TOKEN\n');
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = execFile(process.execPath, [CLI, 'mcp', '--workspace', fixture.ws.dir], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME!, GITHUB_TOKEN: SECRET },
      }, (error, stdout, stderr) => (error && error.killed ? reject(error) : resolve({ stdout, stderr })));
      child.stdin!.end(); // The assistant hangs up at once: the server ends with its stdin.
    });
    assert.match(result.stderr, WARNING, result.stderr);
    assert.equal(result.stdout, '');
    assert.ok(!result.stderr.includes(SECRET));
  });
});
