import { binaryCataloger } from './binary/cataloger.js';
import type { Cataloger } from './cataloger.js';
import { dotnetCataloger } from './lang/dotnet/cataloger.js';
import { javaCataloger } from './lang/java/cataloger.js';
import { npmCataloger } from './lang/npm/cataloger.js';
import { phpCataloger } from './lang/php/cataloger.js';
import { pythonCataloger } from './lang/python/cataloger.js';
import { rubyCataloger } from './lang/ruby/cataloger.js';
import { apkCataloger } from './os/apk/cataloger.js';
import { dpkgCataloger } from './os/dpkg/cataloger.js';
import { rpmCataloger } from './os/rpm/cataloger.js';

/** Every cataloger an image scan runs, OS package managers first. */
export function defaultCatalogers(): Cataloger[] {
  return [
    dpkgCataloger,
    apkCataloger,
    rpmCataloger,
    binaryCataloger,
    javaCataloger,
    npmCataloger,
    pythonCataloger,
    rubyCataloger,
    phpCataloger,
    dotnetCataloger,
  ];
}
