import type { CliCommand } from '../command';

/** Every `costar` sub-command, in the order `costar --help` lists them. */
export const commands: CliCommand[] = [];
