/**
 * Monitoring with the workspace's own judges: judge files (a check wrapper and an LLM judge)
 * named in costar.monitor.yaml score production traces. Without a model the LLM judge is
 * skipped with the setup hint; once a model is configured the next report scores exactly the
 * skipped verdicts, over real HTTP to the test model server; bumping a judge file's version
 * re-scores its traces.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMonitorConfig } from '../../src/core/monitor/config';
import { PRODUCTION_META } from '../../src/core/monitor/importProduction';
import { ScoreStore } from '../../src/core/monitor/scoreStore';
import { scoreProduction } from '../../src/core/monitor/scoreProduction';
import { loadWorkspaceScorer, unknownMonitorJudges } from '../../src/core/monitor/scorer';
import { TraceStore } from '../../src/core/trace/store';
import { ModelServer } from '../support/modelServer';
import { TraceBuilder } from '../support/traceBuilder';

const MONITOR = `
minSamples: 1
judges:
  - judge: polite
  - judge: ok-prefix
  - judge: ok-prefix
    name: says-done
    with: { pattern: "done" }
`;

let server: ModelServer;
let ws: string;
const answers = ['OK: thank you for asking', 'OK: go away', 'WRONG, done'];
const ids: string[] = [];

before(async () => {
  server = await ModelServer.start();
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-monitor-judges-'));
  await fs.mkdir(path.join(ws, 'judges'));
  await fs.writeFile(path.join(ws, 'judges', 'polite.judge.yaml'), 'id: polite\nkind: llm\ninstructions: "Is this answer polite? {{ outputs }}"\n');
  await fs.writeFile(path.join(ws, 'judges', 'ok-prefix.judge.yaml'), 'id: ok-prefix\nkind: check\ncheck: regex\nwith: { pattern: "^OK:" }\n');
  const store = new TraceStore(ws);
  for (const [i, answer] of answers.entries()) {
    const b = new TraceBuilder();
    b.span({ name: 'chat', spanType: 'AGENT', inputs: { question: `q${i}` }, outputs: answer });
    const trace = b.build({ metadata: { [PRODUCTION_META]: 'true' } });
    trace.info.traceId = `${i + 1}`.repeat(32);
    trace.info.requestTime += i * 1000;
    ids.push(trace.info.traceId);
    await store.put(trace);
  }
});
after(async () => {
  await server.close();
  await fs.rm(ws, { recursive: true, force: true });
});

async function score(env: Record<string, string>) {
  const { scorer, catalog, hasModel, problems } = await loadWorkspaceScorer(ws, env);
  assert.deepEqual(problems, []);
  const config = parseMonitorConfig(MONITOR, path.join(ws, 'costar.monitor.yaml'));
  assert.deepEqual(unknownMonitorJudges(config.judges, catalog), []);
  const result = await scoreProduction(new TraceStore(ws), new ScoreStore(ws), config, scorer);
  const outcomes = (judge: string) => ids.map((id) => result.observations.find((o) => o.traceId === id && o.judge === judge)?.outcome);
  return { result, hasModel, outcomes };
}

test('judge files score production traces; the LLM judge is skipped without a model, scored once one is configured', async () => {
  const offline = await score({});
  assert.equal(offline.hasModel, false);
  assert.equal(offline.result.scoredTraces, 3);
  assert.deepEqual(offline.outcomes('ok-prefix'), ['passed', 'passed', 'failed'], 'the judge file\'s default pattern');
  assert.deepEqual(offline.outcomes('says-done'), ['failed', 'failed', 'passed'], 'with: overrides the judge file\'s default');
  assert.deepEqual(offline.outcomes('polite'), ['skipped', 'skipped', 'skipped']);
  const stored = await new ScoreStore(ws).get(ids[0]!);
  assert.match(stored!.verdicts.polite!.rationale, /needs a model: no model is configured/);
  assert.equal(server.chatRequests.length, 0);

  server.script({ match: 'go away', reply: { json: { value: false, rationale: 'rude' } } }).reply({ json: { value: true, rationale: 'polite enough' } });
  const online = await score({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'judge-model', OPENAI_API_KEY: 'test-key' });
  assert.equal(online.hasModel, true);
  assert.deepEqual(online.outcomes('polite'), ['passed', 'failed', 'passed']);
  assert.deepEqual(online.outcomes('ok-prefix'), ['passed', 'passed', 'failed'], 'deterministic verdicts are kept');
  assert.equal(server.chatRequests.length, 3, 'one model call per skipped verdict, none for the others');
  assert.match(JSON.stringify(server.chatRequests[1]!.body.messages), /Is this answer polite\? OK: go away/);

  const again = await score({ COSTAR_MODEL_BASE_URL: server.baseUrl, COSTAR_MODEL: 'judge-model', OPENAI_API_KEY: 'test-key' });
  assert.equal(again.result.scoredTraces, 0, 'nothing new to score');
});

test('bumping a judge file\'s version re-scores its traces; an unknown judge id is named with the known ones', async () => {
  await fs.writeFile(path.join(ws, 'judges', 'ok-prefix.judge.yaml'), 'id: ok-prefix\nkind: check\nversion: 2\ncheck: regex\nwith: { pattern: "^OK: t" }\n');
  const bumped = await score({});
  assert.equal(bumped.result.scoredTraces, 3);
  assert.deepEqual(bumped.outcomes('ok-prefix'), ['passed', 'failed', 'failed']);

  const { catalog } = await loadWorkspaceScorer(ws, {});
  const [problem] = unknownMonitorJudges(parseMonitorConfig('judges: [{ judge: politeness }]', 'm.yaml').judges, catalog);
  assert.match(problem!, /^politeness: no judge "politeness"; add judges\/politeness\.judge\.yaml or use one of: .*ok-prefix, polite, /);
});
