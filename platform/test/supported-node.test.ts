import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertSupportedNode } from '../bin/supported-node.js';

const pinned = readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim();

describe('the CDK app refuses a Node.js release other than .node-version', () => {
  it('accepts the pinned major and any of its patch releases', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(() => assertSupportedNode(pinned)).not.toThrow();
    expect(() => assertSupportedNode('24.0.0')).not.toThrow();
  });

  it('stops on Node 20 with the command that fixes it', () => {
    expect(() => assertSupportedNode('20.20.2')).toThrow(
      /Node\.js 24 is required .*this is 20\.20\.2.*scripts\/use-node\.sh/,
    );
  });
});
