/**
 * Search/replace edit blocks, the way coding assistants propose small edits: each block
 * names text that must occur exactly once in the file and the text that replaces it. An
 * ambiguous or missing search text is an error the model can correct (it gets the reason).
 */
export interface EditBlock {
  search: string;
  replace: string;
}

export type EditResult = { ok: true; text: string } | { ok: false; reason: string };

export function applyEditBlocks(text: string, blocks: readonly EditBlock[]): EditResult {
  let current = text;
  for (const [i, block] of blocks.entries()) {
    const where = blocks.length > 1 ? `edit ${i + 1}: ` : '';
    if (block.search === '') return { ok: false, reason: `${where}the search text is empty; to write a whole file use "content" instead of "edits"` };
    const first = current.indexOf(block.search);
    if (first < 0) {
      const crlfHint = current.includes('\r\n') && !block.search.includes('\r\n') ? ' (the file uses CRLF line endings)' : '';
      return { ok: false, reason: `${where}the search text was not found in the file${crlfHint}; read_file it again and copy the text exactly` };
    }
    if (current.indexOf(block.search, first + 1) >= 0) {
      return { ok: false, reason: `${where}the search text occurs more than once; include more surrounding lines so it is unique` };
    }
    current = current.slice(0, first) + block.replace + current.slice(first + block.search.length);
  }
  return { ok: true, text: current };
}
