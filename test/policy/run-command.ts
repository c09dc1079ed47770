import { PassThrough } from 'node:stream';
import type { Command } from '../../src/cli/command.js';

/** Runs a command in-process, as main.ts does, and collects what it prints. */
export async function runCommand(
  command: Command,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await command.run(args, { stdout, stderr, stdin: new PassThrough(), interactive: false });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
