/** The webview's flattened tree: which rows are visible after expand, collapse, reveal and filter. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TreeModel } from '../../webview-ui/trace-viewer/treeModel';
import { indexTrace } from '../../src/extension/traceViewer/skeleton';
import { storyTrace } from '../webview/fixtures';

const model = () => new TreeModel(indexTrace(storyTrace()).skeleton.parents);
const visible = (m: TreeModel) => [...m.visible];

describe('trace viewer tree model', () => {
  it('starts collapsed, with depth and sibling positions for ARIA', () => {
    const m = model();
    assert.deepEqual(visible(m), [0]);
    assert.deepEqual([...m.depth], [0, 1, 1, 1, 2, 2, 2, 1]);
    assert.deepEqual([...m.posInSet], [1, 1, 2, 3, 1, 2, 3, 4]);
    assert.deepEqual([...m.setSize], [1, 4, 4, 4, 3, 3, 3, 4]);
  });

  it('expands and collapses subtrees, keeping nested expansion', () => {
    const m = model();
    m.setExpanded(0, true);
    assert.deepEqual(visible(m), [0, 1, 2, 3, 7]);
    m.setExpanded(3, true);
    assert.deepEqual(visible(m), [0, 1, 2, 3, 4, 5, 6, 7]);
    m.setExpanded(0, false);
    assert.deepEqual(visible(m), [0]);
    m.setExpanded(0, true);
    assert.equal(m.visibleIndexOf(6), 6, 'analyze stayed expanded');
    assert.equal(m.visibleIndexOf(99), -1);
  });

  it('reveals a deep row by expanding all its ancestors', () => {
    const m = model();
    m.reveal([5]);
    assert.deepEqual(visible(m), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('filters to given rows and their ancestors, then restores the expansion', () => {
    const m = model();
    m.setFilter([6]);
    assert.deepEqual(visible(m), [0, 3, 6]);
    assert.equal(m.isExpanded(3), true);
    m.setFilter(null);
    assert.deepEqual(visible(m), [0]);
  });

  it('expands to a depth and restores a saved expansion', () => {
    const m = model();
    m.expandToDepth(1);
    assert.deepEqual(visible(m), [0, 1, 2, 3, 7]);
    m.setExpandedRows([0, 3, 5, 42]);
    assert.deepEqual(visible(m), [0, 1, 2, 3, 4, 5, 6, 7]);
    m.collapseAll();
    assert.deepEqual(visible(m), [0]);
  });
});
