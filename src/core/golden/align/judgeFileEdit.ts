/**
 * The proposed judge version as text: the judge file with new instructions and a bumped
 * version, edited through the YAML document so comments and key order survive, and the
 * change as a unified diff to accept or reject.
 */
import { createTwoFilesPatch } from 'diff';
import { parseDocument, Scalar } from 'yaml';

export interface JudgeFileProposal {
  text: string;
  version: string;
  diff: string;
}

export function proposeJudgeFile(originalText: string, fileLabel: string, instructions: string, currentVersion: string): JudgeFileProposal {
  const doc = parseDocument(originalText);
  const node = new Scalar(instructions.endsWith('\n') ? instructions : `${instructions}\n`);
  node.type = Scalar.BLOCK_LITERAL;
  doc.setIn(['instructions'], node);
  const version = bumpVersion(currentVersion);
  doc.setIn(['version'], /^\d+$/.test(version) ? Number(version) : version);
  const text = doc.toString({ lineWidth: 0 });
  return { text, version, diff: createTwoFilesPatch(fileLabel, fileLabel, originalText, text, `version ${currentVersion}`, `version ${version} (proposed)`) };
}

/** 3 → 4, "v2" → "v3", "1.4" → "1.5", "beta" → "beta.1". */
export function bumpVersion(version: string): string {
  const match = /^(.*?)(\d+)$/.exec(version);
  return match ? `${match[1]}${Number(match[2]) + 1}` : `${version}.1`;
}
