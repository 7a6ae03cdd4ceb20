import { globSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// Reading the repository's Markdown the way a reader's renderer does: fenced blocks by their info
// string, tables by their pipes. Small on purpose; the tests check what the docs claim, not Markdown.

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** README.md and every Markdown file under docs/, as repository-relative paths, sorted. */
export function documentationFiles(root: string = REPO_ROOT): string[] {
  const docs = globSync('docs/**/*.md', { cwd: root });
  return ['README.md', ...docs].map((path) => relative(root, join(root, path))).sort();
}

export interface FencedBlock {
  readonly file: string;
  /** 1-based line of the opening fence, so a failure can be found in an editor. */
  readonly line: number;
  readonly code: string;
}

/**
 * The ```<language> blocks of a Markdown text. Only backtick fences at the start of a line, which is
 * how every doc here writes them; an unclosed block is an error, since a renderer would swallow the
 * rest of the page into it.
 */
export function fencedBlocks(file: string, text: string, language: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = text.split('\n');
  let open: { line: number; language: string; body: string[] } | undefined;
  for (const [index, line] of lines.entries()) {
    const fence = /^(`{3,})\s*([\w-]*)/.exec(line);
    if (open === undefined) {
      if (fence) open = { line: index + 1, language: fence[2] ?? '', body: [] };
    } else if (fence && fence[2] === '') {
      if (open.language === language) blocks.push({ file, line: open.line, code: open.body.join('\n') });
      open = undefined;
    } else {
      open.body.push(line);
    }
  }
  if (open !== undefined) throw new Error(`${file}:${open.line}: code fence is never closed`);
  return blocks;
}

export const readRepoFile = (path: string, root: string = REPO_ROOT): string =>
  readFileSync(join(root, path), 'utf8');

/** The cells of a Markdown table row (`| a | b |`), trimmed; undefined for a line that is not one. */
export function tableCells(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|') || !trimmed.endsWith('|')) return undefined;
  // A pipe inside backticks would split a cell; the tables these tests read have none.
  return trimmed
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
}

/**
 * The first table after the heading `heading` (exact text, any level) as rows of header -> cell.
 * Throws when the heading or the table is missing, so a renamed section fails the test loudly.
 */
export function tableAfterHeading(text: string, heading: string): Record<string, string>[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading '${heading}'`);
  const first = lines.findIndex((line, i) => i > start && tableCells(line) !== undefined);
  if (first < 0) throw new Error(`no table after the heading '${heading}'`);
  const header = tableCells(lines[first] ?? '') ?? [];
  const rows: Record<string, string>[] = [];
  // Skip the header and the |---| separator; the table ends at the first line that is not a row.
  for (const line of lines.slice(first + 2)) {
    const cells = tableCells(line);
    if (cells === undefined) break;
    rows.push(Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  }
  return rows;
}

/** The text between the first pair of backticks of a cell (`a.b` -> a.b), or undefined. */
export const codeSpan = (cell: string): string | undefined => /`([^`]+)`/.exec(cell)?.[1];
