/**
 * The `vscode` module's type. Adapters receive the API object instead of importing
 * 'vscode' themselves (the way playwright-vscode does it), so unit tests can hand them a
 * small fake host and the bundle has a single `require('vscode')`, in main.ts.
 */
export type VSCode = typeof import('vscode');
