import { register } from 'node:module';

// `node --import` this file (e.g. through NODE_OPTIONS) to run the platform on the committed config
// with the shipped placeholders: see placeholder-config-hooks.mjs.
register('./placeholder-config-hooks.mjs', import.meta.url);
