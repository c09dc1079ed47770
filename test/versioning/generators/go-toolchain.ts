import { type Random, tweakNumber } from '../random.js';
import type { VersionGenerator } from './types.js';

function generate(r: Random): string {
  const prefix = r.pick(['go', 'go', '']);
  const minor = r.int(0, 24);
  if (r.chance(0.3)) return `${prefix}1.${minor}${r.pick(['rc', 'beta'])}${r.int(1, 3)}`;
  return `${prefix || 'go'}1.${minor}${r.chance(0.7) ? `.${r.int(0, 13)}` : ''}`;
}

export const goToolchainVersions: VersionGenerator = { generate, mutate: tweakNumber };
