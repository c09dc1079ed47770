import type { Rule } from '../../rule.js';
import type { DockerfileModel } from '../model.js';
import { rules as baseImage } from './base-image/index.js';
import { rules as instructions } from './instructions/index.js';
import { rules as packages } from './packages/index.js';
import { rules as permissions } from './permissions/index.js';
import { rules as secrets } from './secrets/index.js';
import { rules as securityBypass } from './security-bypass/index.js';
import { rules as supplyChain } from './supply-chain/index.js';
import { rules as user } from './user/index.js';

const families: readonly Rule<DockerfileModel>[][] = [
  baseImage,
  user,
  instructions,
  packages,
  supplyChain,
  securityBypass,
  secrets,
  permissions,
];

/** Every Dockerfile rule, in id order. */
export const dockerfileRules: readonly Rule<DockerfileModel>[] = families
  .flat()
  .sort((a, b) => a.meta.id.localeCompare(b.meta.id));
