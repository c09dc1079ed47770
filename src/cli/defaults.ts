import { homedir } from 'node:os';
import { join } from 'node:path';

/** `--cache-dir`, else $CERANA_CACHE_DIR, else $XDG_CACHE_HOME/cerana, else ~/.cache/cerana. */
export function defaultCacheDir(): string {
  if (process.env.CERANA_CACHE_DIR) return process.env.CERANA_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cerana');
}
