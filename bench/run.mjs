// `npm run bench -- <name> [args]` runs bench/<name>/: its run.mjs with node (against the built
// dist/), or its run.ts / single .ts entry with vite-node. Without a name it lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const benches = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'lib')
  .map((entry) => entry.name)
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !benches.includes(name)) {
  console.log(`usage: npm run bench -- <name> [args]\nbenchmarks: ${benches.join(', ')}`);
  process.exit(name ? 2 : 0);
}
const dir = join(here, name);
const ts = readdirSync(dir).filter((file) => file.endsWith('.ts'));
const entry = existsSync(join(dir, 'run.mjs'))
  ? [process.execPath, join(dir, 'run.mjs')]
  : ['npx', 'vite-node', join(dir, ts.includes('run.ts') ? 'run.ts' : (ts[0] ?? 'run.ts'))];
const result = spawnSync(entry[0], [...entry.slice(1), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
