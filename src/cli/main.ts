import { collectOldGenerationWhenFull } from '../common/heap.js';
import type { CommandIo } from './command.js';

// Set before the rest of the CLI is loaded (see common/heap.ts).
collectOldGenerationWhenFull();
const { describeError } = await import('../common/errors.js');
const { main } = await import('./run.js');

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive: Boolean(process.stderr.isTTY),
};

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`cerana: ${describeError(error)}\n`);
    process.exitCode = 3;
  },
);
