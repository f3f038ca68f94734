/**
 * The dev console: a single-page UI at `/` (docs/console.md). The UI lives in ./ui (Preact), is built by
 * ./build.ts into dist/console for the package, and is built in memory when the server runs from source.
 */
export { consolePlugin, ConsoleConfig } from './plugin.js';
export { ConsoleAssets, assetSource, type AssetSource, type ServedAsset } from './assets.js';

import { consolePlugin } from './plugin.js';
export default consolePlugin;
