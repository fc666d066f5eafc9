/** Command ids of Refine (package.json `contributes.commands` lists the same ids). */
export const REFINE_COMMANDS = {
  refine: 'costar.refine',
  acceptHunk: 'costar.refine.acceptHunk',
  rejectHunk: 'costar.refine.rejectHunk',
  acceptAll: 'costar.refine.acceptAll',
  rejectAll: 'costar.refine.rejectAll',
  toggleDiff: 'costar.refine.toggleDiff',
  again: 'costar.refine.again',
  discard: 'costar.refine.discard',
  peekHunk: 'costar.refine.peekHunk',
} as const;

/** Context key: the active editor shows a file with pending proposals (editor title buttons, keybindings). */
export const HAS_PROPOSAL_CONTEXT = 'costar.refine.hasProposal';

/** Scheme of the read-only documents holding a file's proposed text (right side of the diff view). */
export const PROPOSAL_SCHEME = 'costar-proposal';
