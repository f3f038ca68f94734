import { Type } from 'typebox';
import { routes } from '../../adapters/http-koa/index.js';
import { definePlugin } from '../../core/index.js';
import { assetSource, ConsoleAssets } from './assets.js';
import { consoleRoutes } from './routes.js';

/** `console:` in the config file. */
export const ConsoleConfig = Type.Object(
  {
    assets: Type.Union([Type.Literal('auto'), Type.Literal('built'), Type.Literal('source')], {
      default: 'auto',
      description:
        'Where the page comes from: built (dist/console, as the package ships it), source (built in memory from plugins/console/ui with esbuild, rebuilt on change; a source checkout only), or auto (source when running from TypeScript, built otherwise)',
    }),
  },
  { additionalProperties: false },
);

/**
 * The `console` plugin: the dev console, a single-page UI served by the server at `/` to prompt, watch runs
 * stream, inspect tool calls and browse sessions (docs/console.md). It only contributes two routes; the page
 * talks to the HTTP API like any other client (and asks for an API key when the server requires one).
 * Leave it out with `plugins: { disable: [console] }`.
 *
 * @example
 * ```yaml
 * console:
 *   assets: source   # rebuild the UI from plugins/console/ui on every change (working on the console)
 * ```
 */
export const consolePlugin = definePlugin({
  id: 'console',
  version: '1.0.0',
  description: 'The dev console at /: prompt, stream, tool calls, sessions, raw events and replay',
  config: ConsoleConfig,
  init(ctx) {
    const assets = new ConsoleAssets(assetSource(ctx.config.assets), ctx.logger);
    ctx.contribute(routes, ...consoleRoutes(assets));
    return assets;
  },
});
