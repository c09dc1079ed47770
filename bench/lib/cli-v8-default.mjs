/**
 * The Cerana CLI with one of its V8 settings (src/cli/process-settings.cts) left at V8's
 * default: the control that shows what that setting is worth. The first argument names it
 * (`gc` or `jit`), the rest go to the CLI. Needs `npm run build`.
 */
import settings from '../../dist/cli/process-settings.cjs';

const [left, ...args] = process.argv.slice(2);
settings.tuneV8([left]);
const { main } = await import('../../dist/cli/run.js');
process.exitCode = await main(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive: false,
});
