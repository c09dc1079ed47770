import type { FileVisitor, ImageFiles } from '../image/scan/index.js';
import type { OsInfo } from './os/detect.js';
import type { Package } from './package.js';

/** What every cataloger may know besides the files: the detected distribution. */
export interface CatalogContext {
  os?: OsInfo;
}

export interface CatalogResult {
  packages: Package[];
  /** One line per file that could not be read, naming the file: `path: what went wrong`. */
  warnings: string[];
  /**
   * Files the package manager owns (image-root relative, as its database lists them). OS
   * catalogers report them so language packages installed by the OS get `osOwned`.
   */
  ownedFiles?: Iterable<string>;
  /**
   * Files a language package's installer recorded for it (image-root relative, `..` resolved,
   * symlinked directories as written): a wheel's RECORD. The framework gives every other
   * language package found at one of them `ownedBy` that package.
   */
  installedFiles?: ReadonlyMap<Package, readonly string[]>;
}

/**
 * A cataloger is a file visitor (it captures or streams the files it needs during the single
 * layer pass) plus the step that turns what it saw into packages once the layers are merged.
 *
 * Packages it returns may leave `locations[].layer` empty: the framework then fills in the
 * layer of the visible file at that path. `osOwned` is decided by the framework too.
 */
export interface Cataloger extends FileVisitor {
  catalog(files: ImageFiles, context: CatalogContext): CatalogResult;
}
