import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountDirectory, parseAccounts } from './users.js';

describe('account files', () => {
  it('parse passwd and group lines, first entry per id, skipping junk', () => {
    const passwd = parseAccounts(
      'root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\ndup:x:1:1::/x:/y\nneg:x:-4:0::/:\n',
      'passwd',
    );
    expect(passwd.get(0)).toEqual({ name: 'root', home: '/root', shell: '/bin/bash' });
    expect(passwd.get(1)?.name).toBe('daemon');
    expect(passwd.size).toBe(2);
    expect(parseAccounts('root:x:0:\nutmp:x:43:\n', 'group').get(43)).toEqual({ name: 'utmp' });
  });
});

describe('account directory', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("resolves users from the container's own files and sees them change", () => {
    root = mkdtempSync(join(tmpdir(), 'cerana-test-accounts-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
    let now = 0;
    const dir = new AccountDirectory(() => now);
    expect(dir.user(root, 1000)).toEqual({ uid: 1000, name: 'app', homedir: '/home/app', shell: '/bin/sh' });
    expect(dir.group(root, 1000)).toEqual({ gid: 1000, name: 'app' });
    expect(dir.user(root, 4242)).toEqual({ uid: 4242 });
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nsvc:x:1000:1000::/srv:/bin/false\n',
    );
    utimesSync(join(root, 'etc/passwd'), 1, 1);
    expect(dir.user(root, 1000).name).toBe('app');
    now += 5000;
    expect(dir.user(root, 1000)).toEqual({ uid: 1000, name: 'svc', homedir: '/srv', shell: '/bin/false' });
    expect(dir.user(join(root, 'missing'), 0)).toEqual({ uid: 0 });
  });
});
