import type { Command } from '../../src/cli/command.js';
import { memoryIo } from '../support/memory-io.js';

/** Runs a command in-process, as main.ts does, and collects what it prints. */
export async function runCommand(
  command: Command,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out, err } = memoryIo();
  const code = await command.run(args, io);
  return { code, stdout: out(), stderr: err() };
}
