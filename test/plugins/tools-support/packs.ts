import type { Plugin } from '../../../core/index.js';
import { calculatorPlugin } from '../../../plugins/tools-calculator/index.js';
import { filesystemPlugin } from '../../../plugins/tools-filesystem/index.js';
import { httpPlugin } from '../../../plugins/tools-http/index.js';
import { timePlugin } from '../../../plugins/tools-time/index.js';
import { vectorPlugin } from '../../../plugins/tools-vector/index.js';

/** The five built-in tool packs, in the order batteries() lists them. */
export function toolPacks(): Plugin[] {
  return [calculatorPlugin, timePlugin, filesystemPlugin, httpPlugin, vectorPlugin];
}
