import type { Command } from './command.js';
import { configCommand } from './config.js';
import { dbCommand } from './db.js';
import { imageCommand } from './image.js';
import { planCommand } from './plan.js';
import { policyCommand } from './policy.js';
import { rulesCommand } from './rules.js';
import { runtimeCommand } from './runtime.js';
import { sbomCommand } from './sbom.js';
import { versionCommand } from './version.js';
import { vexCommand } from './vex.js';

/** Every top-level command, in the order `cerana --help` lists them. */
export const commands: readonly Command[] = [
  imageCommand,
  sbomCommand,
  configCommand,
  policyCommand,
  vexCommand,
  planCommand,
  dbCommand,
  runtimeCommand,
  rulesCommand,
  versionCommand,
];
