/** `costar refine` as a user runs it: a real CLI process, a real model endpoint (the test server), a patch git can apply. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { saveReport } from '../../src/core/run/runStore';
import { ModelServer } from '../support/modelServer';
import { CLI as BUILT_CLI, REPO_ROOT } from '../support/workspace';
import { report, scenario, verdict } from './report-fixtures';

const CLI = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const SKILL = 'agents/analyst/skill.md';
const NO_MODEL_ENV = { COSTAR_MODEL: '', COSTAR_MODEL_BASE_URL: '', OPENAI_API_KEY: '' };

function costar(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { ...process.env, ...NO_MODEL_ENV, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}

/** The example workspace with a stored run in which skewed-income failed (no agent needs to run). */
async function failedExample(): Promise<{ dir: string; dispose(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'costar-refine-cli-'));
  cpSync(path.join(REPO_ROOT, 'scenarios'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.costar`) });
  const rationale = '3 of 3 missing income value(s) were filled with 757333.33, but the median of the observed values is 47000.';
  await saveReport(dir, report('20250101-000000000-aaaaaa', [
    scenario('clean-customers', 'passed', [verdict('file-exists', 'passed')], { file: 'suites/cleaning.scenario.yaml', line: 3 }),
    scenario('skewed-income', 'failed', [verdict('robust-imputation', 'failed', rationale)], { file: 'suites/cleaning.scenario.yaml', line: 23 }),
  ]));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

test('costar refine writes a unified diff that git applies, and applies nothing itself', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const skillBefore = readFileSync(path.join(ws.dir, SKILL), 'utf8');
    server.reply({ toolCalls: [{ name: 'read_file', arguments: { path: SKILL } }] }, 1);
    server.reply({
      toolCalls: [
        { name: 'propose_edit', arguments: { path: SKILL, explanation: 'median resists outliers', edits: [{ search: 'impute_numeric: mean', replace: 'impute_numeric: median' }] } },
        { name: 'propose_edit', arguments: { path: 'agents/analyst/NOTES.md', explanation: 'record why', content: 'Skewed columns: impute with the median.\n' } },
      ],
    }, 1);
    server.reply({ content: 'Use the median.' }, 1);

    const result = await costar(['refine', '--agent', 'analyst', '--out', 'change.patch'], ws.dir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /wrote change.patch: agents\/analyst\/skill.md, agents\/analyst\/NOTES.md \(not applied/);
    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), skillBefore, 'refine never applies');

    const patch = readFileSync(path.join(ws.dir, 'change.patch'), 'utf8');
    assert.match(patch, /^--- a\/agents\/analyst\/skill.md\n\+\+\+ b\/agents\/analyst\/skill.md\n/m);
    assert.match(patch, /^-- impute_numeric: mean\n\+- impute_numeric: median$/m);
    assert.match(patch, /^--- \/dev\/null\n\+\+\+ b\/agents\/analyst\/NOTES.md$/m);
    execFileSync('git', ['apply', '--check', 'change.patch'], { cwd: ws.dir });
    execFileSync('git', ['apply', 'change.patch'], { cwd: ws.dir });
    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), skillBefore.replace('impute_numeric: mean', 'impute_numeric: median'));
    assert.equal(readFileSync(path.join(ws.dir, 'agents/analyst/NOTES.md'), 'utf8'), 'Skewed columns: impute with the median.\n');
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('without a model, costar refine says how to configure one and exits 2', async () => {
  const ws = await failedExample();
  try {
    const result = await costar(['refine', '--agent', 'analyst', '--out', 'change.patch'], ws.dir, {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /costar refine needs a model: no model is configured: set model.baseUrl/);
  } finally {
    ws.dispose();
  }
});

test('an unknown agent, or a missing --agent, is exit 2 with the reason', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const env = { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' };
    const unknown = await costar(['refine', '--agent', 'nobody'], ws.dir, env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no agent "nobody" in costar.yaml; agents: analyst/);
    const missing = await costar(['refine'], ws.dir, env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--agent NAME is required/);
    assert.equal(server.chatRequests.length, 0, 'no model call for a usage error');
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('an assistant that proposes nothing: exit 1 and no patch file', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    server.reply({ content: 'I see nothing to change.' }, 1);
    const result = await costar(['refine', '--agent', 'analyst', '--scenario', 'skewed-income', '--out', 'change.patch'], ws.dir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /the assistant proposed no change/);
    assert.throws(() => readFileSync(path.join(ws.dir, 'change.patch')), /ENOENT/);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('--feedback with a patch of rejected hunks: the assistant is told them, the history links nothing', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const rejected = `--- a/${SKILL}\n+++ b/${SKILL}\n@@ -8 +8 @@\n-- impute_numeric: mean\n+- impute_numeric: median\n`;
    writeFileSync(path.join(ws.dir, 'rejected.patch'), rejected);
    server.reply({ toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'trimmed mean instead', edits: [{ search: 'impute_numeric: mean', replace: 'impute_numeric: trimmed_mean' }] } }] }, 1);
    server.reply({ content: 'Trimmed mean.' }, 1);
    const result = await costar(['refine', '--agent', 'analyst', '--feedback', 'rejected.patch', '--out', 'round2.patch'], ws.dir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
    assert.equal(result.code, 0, result.stderr);
    const prompt = server.chatRequests[0]!.body.messages[1].content as string;
    assert.ok(prompt.includes(`### ${SKILL} — the developer rejected this\n\`\`\`diff\n-- impute_numeric: mean\n+- impute_numeric: median\n\`\`\``), prompt);
    assert.match(readFileSync(path.join(ws.dir, 'round2.patch'), 'utf8'), /^\+- impute_numeric: trimmed_mean$/m);
    const [only] = readdirSync(path.join(ws.dir, '.costar/refinements'));
    const record = JSON.parse(readFileSync(path.join(ws.dir, '.costar/refinements', only!), 'utf8'));
    assert.equal(record.previousRefinementId, undefined, 'a patch names no earlier refinement');
    assert.match(record.feedback, /trimmed|impute_numeric: median/);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('--feedback with a refinement id makes the next round of that refinement', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const env = { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' };
    server.reply({ toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'median', edits: [{ search: 'impute_numeric: mean', replace: 'impute_numeric: median' }] } }] }, 1);
    server.reply({ content: 'Median.' }, 1);
    server.reply({ content: 'Nothing better.' }, 1);
    assert.equal((await costar(['refine', '--agent', 'analyst', '--out', 'one.patch'], ws.dir, env)).code, 0);
    const [firstId] = readdirSync(path.join(ws.dir, '.costar/refinements')).map((n) => n.replace(/\.json$/, ''));

    const again = await costar(['refine', '--agent', 'analyst', '--feedback', firstId!], ws.dir, env);
    assert.equal(again.code, 1, 'this time the assistant proposes nothing');
    const prompt = server.chatRequests[2]!.body.messages[1].content as string;
    assert.match(prompt, new RegExp(`## Previous round \\(refinement ${firstId}\\)`));
    assert.match(prompt, /did not apply this proposal\n```diff\n-- impute_numeric: mean\n\+- impute_numeric: median/, 'a CLI proposal counts as not applied');
    const records = readdirSync(path.join(ws.dir, '.costar/refinements')).sort();
    const second = JSON.parse(readFileSync(path.join(ws.dir, '.costar/refinements', records[1]!), 'utf8'));
    assert.equal(second.previousRefinementId, firstId);
    assert.equal(second.round, 2);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('--feedback naming nothing usable is exit 2 before any model call', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const result = await costar(['refine', '--agent', 'analyst', '--feedback', 'missing.patch'], ws.dir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--feedback missing.patch: no refinement with this id in .costar\/refinements and no such file/);
    assert.equal(server.chatRequests.length, 0);
  } finally {
    await server.close();
    ws.dispose();
  }
});

test('in a workspace that is a sub-folder of a git repository, the patch applies with the real git from the root and from the workspace', async () => {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'costar-refine-repo-'));
  const ws = await failedExample();
  const server = await ModelServer.start();
  try {
    const wsDir = path.join(repo, 'examples', 'analyst');
    cpSync(ws.dir, wsDir, { recursive: true });
    const git = (args: string[], cwd = repo) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd, encoding: 'utf8' });
    git(['init', '-q']);
    git(['add', '-A']);
    git(['commit', '-qm', 'init']);
    server.reply({ toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'median', edits: [{ search: 'impute_numeric: mean', replace: 'impute_numeric: median' }] } }] }, 1);
    server.reply({ content: 'Use the median.' }, 1);
    const result = await costar(['refine', '--agent', 'analyst', '--out', path.join(repo, 'change.patch')], wsDir, { COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' });
    assert.equal(result.code, 0, result.stderr);
    const patch = readFileSync(path.join(repo, 'change.patch'), 'utf8');
    assert.match(patch, /^--- a\/examples\/analyst\/agents\/analyst\/skill.md$/m);

    const skill = path.join(wsDir, SKILL);
    const before = readFileSync(skill, 'utf8');
    for (const cwd of [repo, wsDir]) {
      git(['apply', path.join(repo, 'change.patch')], cwd);
      assert.equal(readFileSync(skill, 'utf8'), before.replace('impute_numeric: mean', 'impute_numeric: median'), `git apply from ${path.relative(repo, cwd) || 'the root'} changed the file`);
      git(['checkout', '--', '.']);
    }
  } finally {
    await server.close();
    ws.dispose();
    rmSync(repo, { recursive: true, force: true });
  }
});

test('costar refine --verify tries the patch in a scratch copy: a held-out regression is flagged (exit 1), a clean fix exits 0; the workspace is untouched', async () => {
  const ws = await failedExample();
  const server = await ModelServer.start();
  const built = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [BUILT_CLI, ...args], { cwd: ws.dir, env: { ...process.env, ...NO_MODEL_ENV, COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'test-model' } }, (error, _stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stderr }));
  });
  try {
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(ws.dir, 'node_modules'), 'dir');
    const answers = path.join(ws.dir, 'suites', 'answers.scenario.yaml');
    writeFileSync(answers, readFileSync(answers, 'utf8').replace('tags: [communication]', 'tags: [communication, holdout]'));
    const skillBefore = readFileSync(path.join(ws.dir, SKILL), 'utf8');
    const propose = (edits: { search: string; replace: string }[]) => {
      server.reply({ toolCalls: [{ name: 'propose_edit', arguments: { path: SKILL, explanation: 'median', edits } }] }, 1);
      server.reply({ content: 'done' }, 1);
    };
    const median = { search: '- impute_numeric: mean', replace: '- impute_numeric: median' };
    // The trial runs the example's model judge too: it finds every explanation clear.
    server.script({ match: 'You review the final answer', reply: { json: { value: 'yes', rationale: 'clear' } } });

    propose([median, { search: '- drop_duplicate_rows: true', replace: '- drop_duplicate_rows: false' }]);
    const flagged = await built(['refine', '--agent', 'analyst', '--out', 'change.patch', '--verify']);
    assert.equal(flagged.code, 1, flagged.stderr);
    assert.match(flagged.stderr, /fixed: skewed-income .*held-out: 0\/1 passing, newly failing: explains-cleaning/);
    assert.match(flagged.stderr, /✗ explains-cleaning \(suites\/answers.scenario.yaml:3\) now fails: .*Dropped/);
    assert.match(flagged.stderr, /the patch is flagged/);
    assert.ok(readFileSync(path.join(ws.dir, 'change.patch'), 'utf8').includes('+- drop_duplicate_rows: false'), 'the flagged patch is still written for review');

    propose([median]);
    const clean = await built(['refine', '--agent', 'analyst', '--out', 'change.patch', '--verify']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stderr, /fixed: skewed-income · still failing: none · newly failing: none \(\d\/\d passing\) · held-out: 1\/1 still passing\n/);

    assert.equal(readFileSync(path.join(ws.dir, SKILL), 'utf8'), skillBefore, 'the trial never touches the workspace');
    assert.deepEqual(readdirSync(path.join(ws.dir, '.costar')).includes('trials') ? readdirSync(path.join(ws.dir, '.costar', 'trials')) : [], []);
  } finally {
    await server.close();
    ws.dispose();
  }
});
