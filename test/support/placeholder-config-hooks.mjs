// Module resolution hooks (registered by placeholder-config.register.mjs): platform/config's own
// import of ./environments.js resolves to placeholder-environments.ts, the committed config with the
// shipped placeholders. Every other import, including that module's own import of the real file,
// resolves as usual.

const configDir = new URL('../../platform/config/', import.meta.url).href;
const real = new Set([`${configDir}environments.js`, `${configDir}environments.ts`]);
const fixture = new URL('./placeholder-environments.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? '';
  if (parent.startsWith(configDir) && URL.canParse(specifier, parent)) {
    if (real.has(new URL(specifier, parent).href)) return { url: fixture, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
