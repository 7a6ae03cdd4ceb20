import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import type { Skip } from './result.js';

// Reads the skip list of a tool's own YAML config (.checkov.yaml `skip-check`, .cfnlintrc
// `ignore_checks`) together with the comment written next to each entry. The comment is the
// reviewer-facing reason; an entry without one is reported as an error by the runner.

export function configSkips(file: string, key: string): Skip[] {
  if (!existsSync(file)) return [];
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents)) return [];
  const list = doc.get(key, true);
  if (list === undefined) return [];
  if (!isSeq(list)) throw new Error(`${file}: '${key}' must be a list`);
  return (list as YAMLSeq).items.map((item, index) => {
    if (!isScalar(item)) throw new Error(`${file}: '${key}[${index}]' must be a rule id`);
    // A comment on the entry's own line lands in `comment`, one on the lines above in `commentBefore`.
    const reason = [item.commentBefore, item.comment]
      .filter((c): c is string => typeof c === 'string')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    // The first entry's leading comment is attached to the sequence, not the item.
    const leading = index === 0 ? (list.commentBefore ?? '').replace(/\s+/g, ' ').trim() : '';
    return { rule: String(item.value), location: file.split('/').pop() ?? file, reason: reason || leading };
  });
}
