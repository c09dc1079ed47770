import { describe, expect, it } from 'vitest';
import { scanCapturedFiles } from './image.js';
import { SecretScanner } from './scanner.js';

const TOKEN = 'ghp_aZ3kQ9wLm2Xv7Rt5Yp8Nc4Hs6Jd1Fb0Ge3Uq';

describe('scanCapturedFiles', () => {
  it('scans every layer, marks files a later layer hid, and skips what it would not have captured', () => {
    const file = (path: string, layerIndex: number, visible: boolean, text: string) => ({
      path,
      layer: `sha256:${String(layerIndex).repeat(64)}`,
      layerIndex,
      data: Buffer.from(text),
      visible,
    });
    const found = scanCapturedFiles(new SecretScanner(), [
      file('root/.config/token', 1, false, TOKEN),
      file('root/.config/token', 2, true, `t=${TOKEN}`),
      file('usr/share/doc/x/README', 1, true, TOKEN),
      file('srv/logo.png', 1, true, TOKEN),
    ]);
    expect(found.map((m) => [m.path, m.layer?.slice(7, 8), m.deletedLater])).toEqual([
      ['root/.config/token', '1', true],
      ['root/.config/token', '2', false],
    ]);
  });
});
