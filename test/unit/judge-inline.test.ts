/**
 * Judges can be written inline in costar.yaml, next to judge folders; their problems point
 * into costar.yaml, and they run like judges from files.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadJudgeCatalog } from '../../src/core/judges/catalog';
import { loadConfig } from '../../src/core/scenario/load';
import { tempWorkspace } from '../support/workspace';

describe('inline judges in costar.yaml', () => {
  const ws = tempWorkspace({
    'costar.yaml': `agents:
  a:
    command: [node, agent.mjs]
judges:
  - judges
  - id: short-answer
    kind: check
    check: regex
    with: { pattern: "^.{1,200}$", in: output }
  - id: polite
    kind: llm
    instructions: "Is {{ outputs }} polite?"
    value: yes/no
    pass: yes
`,
    'judges/file-judge.judge.yaml': 'id: from-file\nkind: check\ncheck: contains\nwith: { text: ok }\n',
  });
  const broken = tempWorkspace({
    'costar.yaml': `agents:
  a:
    command: [node, agent.mjs]
judges:
  - id: dup
    kind: check
    check: no-such-check
  - id: file-exists
    kind: llm
    instructions: "{{ nonsense }}"
`,
  });
  after(() => {
    ws.dispose();
    broken.dispose();
  });

  it('loads inline judges beside the judges of a folder', async () => {
    const { config } = await loadConfig(ws.dir);
    const { catalog, problems } = await loadJudgeCatalog(ws.dir, config!);
    assert.deepEqual(problems, []);
    assert.equal(catalog.get('short-answer')?.kind, 'check');
    assert.equal(catalog.get('short-answer')?.inline, true);
    assert.equal(catalog.get('polite')?.kind, 'llm');
    assert.equal(catalog.get('from-file')?.inline, undefined);
  });

  it('points the problems of inline judges at their lines in costar.yaml', async () => {
    const { config } = await loadConfig(broken.dir);
    const { problems } = await loadJudgeCatalog(broken.dir, config!);
    const shown = problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.message.split(';')[0]}`);
    assert.deepEqual(shown, [
      '7:12 error check: unknown built-in check "no-such-check"',
      '8:9 error id: judge id "file-exists" is already used by built-in check',
      '10:19 warning instructions: unknown template variable {{ nonsense }}',
    ]);
  });
});
