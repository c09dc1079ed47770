import type { Cataloger } from './cataloger.js';
import { apkCataloger } from './os/apk/cataloger.js';
import { dpkgCataloger } from './os/dpkg/cataloger.js';
import { rpmCataloger } from './os/rpm/cataloger.js';

/** Every cataloger an image scan runs, OS package managers first. */
export function defaultCatalogers(): Cataloger[] {
  return [dpkgCataloger, apkCataloger, rpmCataloger];
}
