import { placeholderRawConfig } from './placeholder-config.js';

// Stands in for platform/config/environments.ts in a child process started with
// placeholder-config.register.mjs: the committed config with the shipped placeholders.

const { organisation, environments } = placeholderRawConfig();
export const rawOrganisation = organisation;
export const rawEnvironments = environments;
