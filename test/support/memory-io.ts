import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/cli/command.js';

/** A CommandIo whose output is collected in memory, for running commands in-process. */
export function memoryIo(): { io: CommandIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), interactive: false },
    out: () => Buffer.concat(out).toString('utf8'),
    err: () => Buffer.concat(err).toString('utf8'),
  };
}
