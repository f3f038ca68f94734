#!/usr/bin/env node
// The `agent-sdk` command. In an installed package it runs the built CLI (dist/cli.js). In a source checkout
// (cli/main.ts is beside it, which the package does not ship) it runs the source through tsx, so
// `npx agent-sdk …` works on a fresh clone right after `npm install` and never runs a stale build.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
