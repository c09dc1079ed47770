import type { Command } from './command.js';
import { imageCommand } from './image.js';

/** Every top-level command, in the order `cerana --help` lists them. */
export const commands: readonly Command[] = [imageCommand];
