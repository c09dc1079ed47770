import { describe, expect, it } from 'vitest';
import { defaultDatabasePath } from './index.js';

describe('defaultDatabasePath', () => {
  it('prefers CERANA_DB, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultDatabasePath({ CERANA_DB: '/data/v.db', XDG_CACHE_HOME: '/xdg' })).toBe('/data/v.db');
    expect(defaultDatabasePath({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/cerana/vuln.db');
    expect(defaultDatabasePath({ HOME: '/home/u' })).toMatch(/\/\.cache\/cerana\/vuln\.db$/);
  });
});
