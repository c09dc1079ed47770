/**
 * The Cerana CLI without its garbage-collector setting (src/cli/process-settings.cts), V8's defaults
 * instead: the control that shows what the setting is worth. Needs `npm run build`.
 */
import { main } from '../../dist/cli/run.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  interactive: false,
});
