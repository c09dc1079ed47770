import { writeSync } from 'node:fs';
import { updateDatabase } from '../../../src/vuln/db/update.js';

/**
 * Runs one database update in its own process so a test can SIGKILL it mid-way. Every
 * progress event goes to stdout as a JSON line, written synchronously so the parent sees
 * exactly how far the update got.
 */
const source = process.env.CERANA_CHILD_SOURCE ?? '';
const dbPath = process.env.CERANA_CHILD_DB ?? '';
const ecosystems = (process.env.CERANA_CHILD_ECOSYSTEMS ?? '').split(',');
await updateDatabase({
  source,
  dbPath,
  ecosystems,
  progress: (event) => writeSync(1, `${JSON.stringify(event)}\n`),
});
writeSync(1, `${JSON.stringify({ phase: 'done' })}\n`);
