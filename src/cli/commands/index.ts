import type { CliCommand } from '../command';
import { initCommand } from './init';
import { rescoreCommand, runCommand } from './run';
import { validateCommand } from './validate';
import { importCommand, traceShowCommand } from './traces';
import { mergeCommand } from './merge';
import { diffCommand } from './diff';
import { agreementCommand } from './agreement';
import { alignCommand } from './align';
import { labelCommand } from './label';
import { monitorImportCommand, monitorReportCommand } from './monitor';
import { exportCommand } from './export';
import { refineCommand } from './refine';
import { promoteCommand } from './promote';
import { mcpCommand } from './mcp';

/** Every `costar` sub-command, in the order `costar --help` lists them. */
export const commands: CliCommand[] = [initCommand, runCommand, rescoreCommand, validateCommand, importCommand, traceShowCommand, mergeCommand, diffCommand, monitorImportCommand, monitorReportCommand, exportCommand, agreementCommand, alignCommand, labelCommand, refineCommand, promoteCommand, mcpCommand];
