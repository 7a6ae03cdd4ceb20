import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawOrganisation } from '../../platform/config/environments.js';
import { loadEnvironments } from '../../platform/config/index.js';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import {
  codeSpan,
  documentationFiles,
  fencedBlocks,
  REPO_ROOT,
  readRepoFile,
  tableAfterHeading,
} from './markdown.js';

// The docs' claims checked by the engines that consume them:
// 1. every ```mermaid block in README.md and docs/**/*.md renders with the real Mermaid, in a real
//    browser (Mermaid lays diagrams out with the DOM's text measurement, so a Node-only parse would
//    miss errors that only layout finds, and GitHub renders the same library in a browser);
// 2. docs/platform/adopt.md, the first-deployment guide, names only npm scripts that exist and only
//    environment config fields that exist (not their values: the table shows the values shipped here,
//    which a bank replaces with its own).

const require = createRequire(import.meta.url);
// The package's exports map does not list its browser bundle; the package root is found through the
// ESM entry it does export, so a hoisted or nested install both work.
const MERMAID_BUNDLE = join(dirname(require.resolve('mermaid')), 'mermaid.min.js');

// As for promtool and the scanners: CI (REQUIRE_TOOLS=1 in .ci/run and ci.yml) must have the browser;
// a laptop without it skips the rendering and says why.
const haveChromium = chromiumOrSkip('Mermaid rendering');

const blocks = documentationFiles().flatMap((file) => fencedBlocks(file, readRepoFile(file), 'mermaid'));

describe.skipIf(!haveChromium)('Mermaid diagrams render', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The page loads nothing but the bundle from disk.
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    await page.evaluate(() => {
      // strict: what GitHub uses; suppressErrorRendering: a failure is thrown, not drawn as an SVG.
      const w = globalThis as unknown as { mermaid: { initialize(config: object): void } };
      w.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', suppressErrorRendering: true });
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the docs have diagrams to check', () => {
    // Guards the extraction itself: a broken fence parser would otherwise pass with nothing checked.
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))(
    '%s',
    async (where, block) => {
      const result = await page.evaluate(
        async ({ id, code }) => {
          const w = globalThis as unknown as {
            mermaid: { render(id: string, text: string): Promise<{ svg: string }> };
          };
          try {
            const { svg } = await w.mermaid.render(id, code);
            return { svg };
          } catch (error) {
            return { error: error instanceof Error ? error.message : String(error) };
          }
        },
        { id: `diagram-${block.line}`, code: block.code },
      );
      expect(result.error, `${where}: Mermaid cannot render this block:\n${result.error}`).toBeUndefined();
      // A rendered diagram is an SVG with content; an empty one means Mermaid dropped the text.
      expect(result.svg, `${where}: no SVG`).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect(result.svg?.length ?? 0, `${where}: empty SVG`).toBeGreaterThan(500);
    },
  );
});

describe('docs/platform/adopt.md', () => {
  const text = readRepoFile('docs/platform/adopt.md');
  const environments = new Map(loadEnvironments().map((env) => [env.name, env]));
  const scripts = Object.keys(
    (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts,
  );

  it('runs only npm scripts that package.json has', () => {
    const named = [...text.matchAll(/npm run (?:--silent |-s )?([a-z][\w:-]*)/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(3);
    expect([...new Set(named)].filter((name) => !scripts.includes(name))).toEqual([]);
  });

  const rows = tableAfterHeading(text, 'What to set before you start');

  it('lists the settings in a table with a source file per row', () => {
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const file = codeSpan(row.file ?? '');
      expect(file, `row without a file: ${JSON.stringify(row)}`).toBeDefined();
      expect(existsSync(join(REPO_ROOT, file ?? '')), `${file} does not exist`).toBe(true);
    }
  });

  const configRows = rows.filter((row) => codeSpan(row.file ?? '') === 'platform/config/environments.ts');

  /** The value at a dotted path, or undefined when any segment is missing. */
  const at = (value: unknown, path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (node, key) =>
          node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
        value,
      );

  // The value columns show what this repository ships (placeholders a bank replaces in its first pull
  // request), so only the field names are checked: a bank's own values must not fail its own config
  // pull request. Organisation fields are checked in `rawOrganisation`, the rest in the loaded
  // environments (an optional field in at least one of them).
  const ORGANISATION = 'rawOrganisation.';

  it('labels the value columns as the values shipped here, not values to keep', () => {
    expect(Object.keys(rows[0] ?? {})).toEqual(
      expect.arrayContaining(['as shipped: dev', 'as shipped: prod']),
    );
  });

  it('has rows for the organisation fields the environments derive from', () => {
    const fields = configRows.map((row) => codeSpan(row.field ?? ''));
    expect(fields).toContain('rawOrganisation.domain');
    expect(fields).toContain('rawOrganisation.githubRepository');
  });

  it.each(configRows.map((row) => [codeSpan(row.field ?? '') ?? '(no field)', row] as const))(
    '%s exists in the config',
    (field) => {
      if (field.startsWith(ORGANISATION)) {
        const path = field.slice(ORGANISATION.length);
        expect(at(rawOrganisation, path), `${field} in platform/config/environments.ts`).toBeDefined();
        return;
      }
      expect(
        [...environments.values()].some((env) => at(env, field) !== undefined),
        `${field} is in no environment of platform/config/environments.ts`,
      ).toBe(true);
    },
  );
});
