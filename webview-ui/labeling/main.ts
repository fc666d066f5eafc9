/**
 * The labeling panel: one judge's queue of stored traces, graded by keyboard.
 *
 *   1…9  answer with the judge's n-th value      j / k  next / previous trace
 *   e    write the rationale (Esc leaves it)     s      skip to the next trace
 *   u    undo the last answer                    a      agreement view on/off
 *
 * Blind by default: the judge's verdict is not even in the page until the human has answered
 * that trace; then both are shown side by side. All trace text is rendered as text.
 */
import './styles.css';
import { AgreementView, HostMessage, LABELING_STATE_ELEMENT_ID, LabelingState, WebviewMessage, type LabelItem, type Rated, type SpanRow } from '../../src/shared/labelingProtocol';
import { HostChannel } from '../shared/vscodeApi';
import { clear, h } from '../shared/dom';

interface Answer {
  value: Rated;
  rationale: string;
  saved: boolean;
}

const channel = new HostChannel(HostMessage, WebviewMessage);
let state: LabelingState;
let index = 0;
let showAgreement = false;
let agreement: AgreementView | null | undefined;
let agreementMessage = '';
let notice = '';
/** Traces were stored since this queue was built. */
let newTraces = false;

function refresh(): void {
  if (state.judge) channel.post({ type: 'chooseJudge', judgeId: state.judge.id });
}
const answers = new Map<string, Answer>();
const drafts = new Map<string, string>();
/** Traces in the order they were answered, for undo. */
const history: string[] = [];

const app = document.getElementById('app')!;

function start(): void {
  try {
    state = LabelingState.parse(JSON.parse(document.getElementById(LABELING_STATE_ELEMENT_ID)?.textContent ?? ''));
  } catch (error) {
    app.replaceChildren(h('p', { className: 'fatal', text: `Cannot show the labeling queue: ${(error as Error).message}` }));
    return;
  }
  channel.listen(onHostMessage, (problem) => {
    notice = `Ignored an invalid message from the extension: ${problem}`;
    render();
  });
  document.addEventListener('keydown', onKey);
  render();
}

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'newTraces':
      // An empty queue has nothing to lose: refresh at once; otherwise offer it.
      if (state.items.length === 0 && state.judge) refresh();
      else newTraces = true;
      break;
    case 'state':
      state = message.state;
      newTraces = false;
      index = 0;
      answers.clear();
      drafts.clear();
      history.length = 0;
      agreement = undefined;
      notice = '';
      break;
    case 'saved': {
      const answer = answers.get(message.traceId);
      if (answer) answer.saved = true;
      if (showAgreement) channel.post({ type: 'requestAgreement' });
      break;
    }
    case 'undone':
      answers.delete(message.traceId);
      break;
    case 'agreement':
      agreement = message.agreement;
      agreementMessage = message.message ?? '';
      break;
    case 'error':
      notice = message.message;
      if (message.traceId) {
        answers.delete(message.traceId);
        const at = history.lastIndexOf(message.traceId);
        if (at >= 0) history.splice(at, 1);
      }
      break;
  }
  render();
}

function current(): LabelItem | undefined {
  return state.items[index];
}

function answer(value: Rated): void {
  const item = current();
  if (!item) return;
  const rationale = (document.getElementById('rationale') as HTMLTextAreaElement | null)?.value ?? drafts.get(item.traceId) ?? '';
  drafts.set(item.traceId, rationale);
  answers.set(item.traceId, { value, rationale, saved: false });
  const at = history.indexOf(item.traceId);
  if (at >= 0) history.splice(at, 1);
  history.push(item.traceId);
  channel.post({ type: 'label', traceId: item.traceId, value, rationale });
  render();
}

function move(by: number): void {
  saveDraft();
  index = Math.max(0, Math.min(state.items.length - 1, index + by));
  render();
}

function undo(): void {
  const traceId = history.pop();
  if (!traceId) {
    notice = 'Nothing to undo.';
    render();
    return;
  }
  saveDraft();
  const at = state.items.findIndex((i) => i.traceId === traceId);
  if (at >= 0) index = at;
  channel.post({ type: 'undo', traceId });
  render();
}

function saveDraft(): void {
  const item = current();
  const box = document.getElementById('rationale') as HTMLTextAreaElement | null;
  if (item && box) drafts.set(item.traceId, box.value);
}

function onKey(event: KeyboardEvent): void {
  const target = event.target as HTMLElement;
  if (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT') {
    if (event.key === 'Escape') {
      saveDraft();
      target.blur();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const choices = state.judge?.choices ?? [];
  const digit = /^[1-9]$/.test(event.key) ? Number(event.key) : 0;
  if (digit > 0 && digit <= choices.length) answer(choices[digit - 1]!);
  else if (event.key === 'j' || event.key === 's') move(1);
  else if (event.key === 'k') move(-1);
  else if (event.key === 'e') (document.getElementById('rationale') as HTMLTextAreaElement | null)?.focus();
  else if (event.key === 'u') undo();
  else if (event.key === 'a') toggleAgreement();
  else if (event.key === 'r' && newTraces) refresh();
  else return;
  event.preventDefault();
}

function toggleAgreement(): void {
  saveDraft();
  showAgreement = !showAgreement;
  if (showAgreement) channel.post({ type: 'requestAgreement' });
  render();
}

function render(): void {
  const focused = document.activeElement?.id;
  clear(app);
  app.append(header());
  if (notice) app.append(h('div', { className: 'notice', role: 'alert', text: notice }));
  if (newTraces) {
    app.append(h('div', { className: 'notice new-traces', role: 'status' }, [
      h('span', { text: 'New traces were stored since this queue was built. ' }),
      h('button', { className: 'button secondary', text: 'Refresh (r)', onClick: refresh }),
    ]));
  }
  // The judge's question, in view while grading (the select only shows its id).
  if (state.judge?.description && !showAgreement) app.append(h('p', { className: 'question', text: state.judge.description }));
  if (state.notice) app.append(h('p', { className: 'placeholder', text: state.notice }));
  for (const warning of state.warnings ?? []) app.append(h('div', { className: 'notice warning', role: 'status', text: warning }));
  app.append(showAgreement ? agreementPanel() : itemPanel());
  if (focused === 'rationale') (document.getElementById('rationale') as HTMLTextAreaElement | null)?.focus();
}

function header(): HTMLElement {
  const select = h('select', { className: 'judge-select', attrs: { 'aria-label': 'Judge' } });
  for (const judge of state.judges) {
    const option = h('option', { text: judge.id, title: judge.description });
    option.value = judge.id;
    option.selected = judge.id === state.judge?.id;
    select.append(option);
  }
  select.addEventListener('change', () => channel.post({ type: 'chooseJudge', judgeId: select.value }));
  // Labels from earlier sessions count: reopening the panel does not restart at 0.
  const before = state.labelledBefore ?? 0;
  const labelled = before + state.items.filter((i) => answers.has(i.traceId)).length;
  const total = before + state.items.length;
  const blind = h('input', { attrs: { 'aria-label': 'Blind mode: hide the judge until you answer' } });
  blind.type = 'checkbox';
  blind.checked = state.blind;
  blind.addEventListener('change', () => {
    state.blind = blind.checked;
    render();
  });
  return h('header', { className: 'header' }, [
    h('span', { className: 'muted', text: 'Judge' }),
    select,
    h('span', { className: 'progress', attrs: { 'data-progress': `${labelled}/${total}` }, text: `${labelled} of ${total} labelled` }),
    h('label', { className: 'blind', title: 'Hide the judge\'s verdict until you have answered' }, [blind, ' Blind']),
    h('button', { className: 'button secondary', text: showAgreement ? 'Back to queue (a)' : 'Agreement (a)', onClick: toggleAgreement }),
    h('span', { className: 'labeller muted', text: `as ${state.labeller}` }),
  ]);
}

function itemPanel(): HTMLElement {
  const item = current();
  if (!item || !state.judge) return h('main', { className: 'item empty' });
  const given = answers.get(item.traceId);
  const body = h('main', { className: 'item', attrs: { 'data-trace-id': item.traceId } }, [
    h('div', { className: 'item-head' }, [
      h('h1', { text: item.title }),
      h('span', { className: 'muted', text: `${index + 1} / ${state.items.length}` }),
      h('button', { className: 'link', text: 'Open in trace viewer', onClick: () => channel.post({ type: 'openTrace', traceId: item.traceId }) }),
    ]),
    h('p', { className: 'reasons muted', text: `Why here: ${item.reasons.join('; ')}` }),
    section('Prompt', h('pre', { className: 'text prompt', text: item.prompt })),
    section('Outcome', h('pre', { className: 'text output', text: item.output })),
    item.artifacts.length > 0 ? section(`Artifacts (${item.artifacts.length})`, h('div', {}, item.artifacts.map(artifactView))) : null,
    section(`Spans (${item.spans.length + item.moreSpans})`, spanTree(item.spans, item.moreSpans)),
    answerArea(item, given),
    given || !state.blind ? comparison(item, given) : null,
  ]);
  return body;
}

function section(title: string, content: HTMLElement): HTMLElement {
  return h('section', { className: 'section' }, [h('h2', { text: title }), content]);
}

function artifactView(a: LabelItem['artifacts'][number]): HTMLElement {
  const details = h('details', { className: 'artifact' }, [
    h('summary', { text: `${a.path} (${a.change})` }),
    a.text !== undefined ? h('pre', { className: 'text', text: a.text }) : h('p', { className: 'muted', text: 'Content not recorded (binary or too large).' }),
  ]);
  return details;
}

/** Nested <details> built from pre-order rows with depths: roots open, deeper levels closed. */
function spanTree(rows: readonly SpanRow[], more: number): HTMLElement {
  const root = h('div', { className: 'span-tree', role: 'tree' });
  const stack: { depth: number; children: HTMLElement }[] = [{ depth: -1, children: root }];
  rows.forEach((row, i) => {
    while (stack[stack.length - 1]!.depth >= row.depth) stack.pop();
    const hasChildren = rows[i + 1] !== undefined && rows[i + 1]!.depth > row.depth;
    const line = h('span', { className: `span-line${row.error ? ' span-error' : ''}` }, [
      h('span', { className: 'span-name', text: row.name }),
      h('span', { className: 'span-type', text: row.type }),
      h('span', { className: 'muted', text: `${row.durMs < 1 ? row.durMs.toFixed(2) : Math.round(row.durMs)} ms` }),
      row.error ? h('span', { className: 'span-error-mark', text: 'error' }) : null,
    ]);
    const io = [row.inputs !== undefined ? h('pre', { className: 'text io', text: `in: ${row.inputs}` }) : null, row.outputs !== undefined ? h('pre', { className: 'text io', text: `out: ${row.outputs}` }) : null];
    if (!hasChildren && io.every((x) => x === null)) {
      stack[stack.length - 1]!.children.append(h('div', { className: 'span-leaf', role: 'treeitem' }, [line]));
      return;
    }
    const children = h('div', { className: 'span-children', role: 'group' });
    const details = h('details', { className: 'span-node', role: 'treeitem' }, [h('summary', {}, [line]), ...io, children]);
    details.open = row.depth === 0;
    stack[stack.length - 1]!.children.append(details);
    stack.push({ depth: row.depth, children });
  });
  if (more > 0) root.append(h('p', { className: 'muted', text: `… ${more} more spans: open the trace viewer to see them all.` }));
  return root;
}

function answerArea(item: LabelItem, given: Answer | undefined): HTMLElement {
  const judge = state.judge!;
  const buttons = judge.choices.map((value, i) =>
    h('button', {
      className: `button value${given && given.value === value ? ' chosen' : ''}`,
      attrs: { 'data-value': JSON.stringify(value), 'aria-pressed': String(given?.value === value) },
      text: `${given && given.value === value ? '✓ ' : ''}${i + 1}  ${String(value)}`,
      onClick: () => answer(value),
    }),
  );
  const controls: (HTMLElement | null)[] = [...buttons];
  if (judge.choices.length === 0 && judge.range) {
    const input = h('input', { className: 'number', attrs: { 'aria-label': `Value from ${judge.range.min} to ${judge.range.max}` } });
    input.type = 'number';
    input.min = String(judge.range.min);
    input.max = String(judge.range.max);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && input.value !== '') answer(Number(input.value));
    });
    controls.push(input);
  }
  const rationale = h('textarea', { id: 'rationale', className: 'rationale', attrs: { 'aria-label': 'Rationale', 'data-placeholder': 'why' } });
  rationale.placeholder = 'Why? (e to write, Esc to leave)';
  rationale.value = drafts.get(item.traceId) ?? '';
  rationale.addEventListener('input', () => drafts.set(item.traceId, rationale.value));
  return h('section', { className: 'answer' }, [
    h('div', { className: 'values' }, [
      ...controls,
      h('button', { className: 'button secondary', text: 's  skip', onClick: () => move(1) }),
      h('button', { className: 'button secondary', text: 'u  undo', onClick: undo }),
    ]),
    rationale,
    h('p', { className: 'keys muted', text: `1…9 answer · j/k next/previous · e rationale · s skip · u undo · a agreement${newTraces ? ' · r refresh' : ''}` }),
    given ? h('p', { className: 'status muted', text: given.saved ? 'Saved to the golden set.' : 'Saving…' }) : null,
  ]);
}

function comparison(item: LabelItem, given: Answer | undefined): HTMLElement {
  const verdict = item.verdict;
  const agree = given && verdict ? JSON.stringify(given.value) === JSON.stringify(verdict.value) : undefined;
  return h('section', { className: `verdict-compare${agree === false ? ' disagree' : ''}` }, [
    h('div', { className: 'side-col human' }, [
      h('h3', { text: 'You' }),
      h('p', { className: 'value-text', text: given ? String(given.value) : '(not answered yet)' }),
      given?.rationale ? h('p', { text: given.rationale }) : null,
    ]),
    h('div', { className: 'side-col judge' }, [
      h('h3', { text: `Judge ${state.judge!.id}` }),
      verdict ? h('p', { className: 'value-text', text: String(verdict.value) }) : h('p', { className: 'muted', text: 'No verdict of this judge on this trace: re-score it to compare.' }),
      verdict ? h('p', { className: 'judge-rationale', text: verdict.rationale }) : null,
      verdict ? h('p', { className: 'muted', text: `from ${verdict.source}` }) : null,
    ]),
    agree === undefined ? null : h('p', { className: 'agree-mark', text: agree ? 'You agree.' : 'You disagree.' }),
  ]);
}

function agreementPanel(): HTMLElement {
  if (agreement === undefined) return h('main', { className: 'agreement' }, [h('p', { className: 'muted', text: agreementMessage || 'Computing agreement…' })]);
  if (agreement === null) return h('main', { className: 'agreement' }, [h('p', { className: 'muted', text: agreementMessage })]);
  const r = agreement.judgeVsHuman;
  const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));
  const table = h('table', { className: 'confusion' }, [
    h('tr', {}, [h('th', { text: 'human \\ judge' }), ...r.categories.map((c) => h('th', { text: String(c) }))]),
    ...r.matrix.map((row, i) => h('tr', {}, [h('th', { text: String(r.categories[i]) }), ...row.map((v, j) => h('td', { className: i === j ? 'diag' : '', text: String(v) }))])),
  ]);
  return h('main', { className: 'agreement' }, [
    h('h1', { text: `Agreement of ${agreement.judgeId} with the golden set` }),
    h('p', { className: 'stats', text: `n ${r.n} · accuracy ${r.accuracy === null ? '–' : `${(r.accuracy * 100).toFixed(1)} %`} · Cohen's κ ${fmt(r.kappa)}${r.ci ? ` (95 % CI ${fmt(r.ci[0])} … ${fmt(r.ci[1])})` : ''}` }),
    r.note ? h('p', { className: 'muted', text: r.note }) : null,
    agreement.unjudged.length > 0 ? h('p', { className: 'muted', text: `${agreement.unjudged.length} labelled trace(s) have no verdict of this judge yet.` }) : null,
    r.n > 0 ? table : null,
    h('h2', { text: `Disagreements (${agreement.disagreements.length})` }),
    h('ul', { className: 'disagreements' }, agreement.disagreements.map((d) =>
      h('li', {}, [
        h('button', { className: 'link', text: d.scenarioId ?? d.traceId.slice(0, 8), onClick: () => openFromAgreement(d.traceId) }),
        h('span', { text: ` human ${String(d.human)}, judge ${String(d.judge)}` }),
        h('div', { className: 'muted', text: `human: ${d.humanRationales.join(' | ') || '(no rationale)'}` }),
        h('div', { className: 'muted', text: `judge: ${d.judgeRationale}` }),
      ]),
    )),
    agreement.conflicts.length > 0 ? h('h2', { text: `Conflicting labels (${agreement.conflicts.length})` }) : null,
    ...agreement.conflicts.map((c) => h('p', { text: `${c.traceId.slice(0, 8)}: ${c.votes.map((v) => `${String(v.value)} by ${v.labellers.join(', ')}`).join('; ')} → ${String(c.resolved)} (${c.how})` })),
    ...agreement.interLabeller.map((p) => h('p', { className: 'muted', text: `${p.a} vs ${p.b}: ${p.result.n} shared, κ ${fmt(p.result.kappa)}` })),
  ]);
}

/** A disagreement opens in the queue when it is there, else in the trace viewer. */
function openFromAgreement(traceId: string): void {
  const at = state.items.findIndex((i) => i.traceId === traceId);
  if (at >= 0) {
    index = at;
    showAgreement = false;
    render();
  } else {
    channel.post({ type: 'openTrace', traceId });
  }
}

start();
