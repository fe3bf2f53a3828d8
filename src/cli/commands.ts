/** The `ft-edge` subcommands, in the order `ft-edge --help` lists them. */
import { alarm } from './alarm.js';
import { backup } from './backup.js';
import { checkConfig } from './check-config.js';
import type { Command } from './command.js';
import { demo } from './demo.js';
import { exportCommand } from './export.js';
import { run } from './run.js';
import { status } from './status.js';
import { strategies } from './strategies.js';
import { forceExit, startEntries, stopEntry } from './trade-control.js';
import { tradesCommand } from './trades.js';

export const COMMANDS: readonly Command[] = [run, status, tradesCommand, stopEntry, startEntries, forceExit, exportCommand, backup, checkConfig, strategies, alarm, demo];
