import { describe, expect, it } from 'vitest';
import { loadOrganisation } from './index.js';
import { labelKey, nodePoolLabel, purposeAnnotation } from './labels.js';

// The label prefix is the organisation's domain (platform/config/environments.ts), whatever the bank
// sets it to; the names after the prefix are written out here.

const { domain } = loadOrganisation();

describe('Kubernetes label and annotation keys', () => {
  it('are prefixed with the organisation domain', () => {
    expect(nodePoolLabel()).toBe(`${domain}/node-pool`);
    expect(purposeAnnotation()).toBe(`${domain}/purpose`);
    expect(labelKey('a')).toBe(`${domain}/a`);
    expect(labelKey(`a${'b'.repeat(61)}c`)).toBe(`${domain}/a${'b'.repeat(61)}c`);
    expect(labelKey('a.b_c-d')).toBe(`${domain}/a.b_c-d`);
  });

  it.each(['', '-a', 'a-', 'a/b', 'a b', `a${'b'.repeat(62)}c`])('refuses the name %j', (name) => {
    expect(() => labelKey(name)).toThrow(`label key name '${name}' must be 1-63 letters`);
  });
});
