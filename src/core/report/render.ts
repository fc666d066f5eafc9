import type { RunReport } from '../run/protocol';
import { renderJson } from './jsonReport';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { renderGithub, type GithubOptions } from './github';

export const REPORT_FORMATS = ['json', 'junit', 'markdown', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export type RenderOptions = GithubOptions;

/** Renders a run report in one of the file formats CI reads. */
export function renderReport(report: RunReport, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'github':
      return renderGithub(report, opts);
  }
}
