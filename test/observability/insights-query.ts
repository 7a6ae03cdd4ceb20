// A small reader of CloudWatch Logs Insights query strings: enough to list the fields a query reads
// (in fields, filter, stats, sort and display) and the simple comparisons of its filters, so a test
// can check them against real log lines. Not a full grammar: string and regex literals, numbers,
// keywords, function names and names the query defines itself (`as` aliases, `parse` captures) are
// told apart from field names; anything else is a field.

export interface Comparison {
  readonly field: string;
  readonly op: '=' | '!=' | '>=' | '<=' | '>' | '<';
  readonly value: string | number;
}

export interface ParsedQuery {
  /** Every field the query reads from the log events (system fields such as @timestamp included). */
  readonly fields: readonly string[];
  /** Filter clauses of the form `field op literal` joined only by `and` (each must hold). */
  readonly comparisons: readonly Comparison[];
}

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'by', 'as', 'asc', 'desc', 'true', 'false']);

/** Splits on `|` outside string and regex literals. */
function commands(query: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of query) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '/') {
      quote = ch;
      current += ch;
    } else if (ch === '|') {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out.filter((c) => c.length > 0);
}

/** Removes string and regex literals (their content is no field). */
const withoutLiterals = (text: string): string =>
  text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/(?:[^/\\]|\\.)*\//g, ' ');

/** Identifiers of an expression that are neither keywords, functions nor numbers. */
function identifiers(expression: string): string[] {
  const text = withoutLiterals(expression);
  const names: string[] = [];
  for (const m of text.matchAll(/[@A-Za-z_][\w.@]*(\s*\()?/g)) {
    const name = m[0].replace(/\s*\($/, '');
    if (m[1]) continue; // a function call
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name)) continue;
    // a duration unit after a number, as in bin(5m)
    const before = text.slice(0, m.index);
    if (/\d$/.test(before)) continue;
    names.push(name);
  }
  return names;
}

const COMPARISON = /^([@A-Za-z_][\w.@]*)\s*(>=|<=|!=|=|>|<)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)$/;

export function parseInsightsQuery(query: string): ParsedQuery {
  const defined = new Set<string>();
  const read: string[] = [];
  const comparisons: Comparison[] = [];
  for (const command of commands(query)) {
    const [verb = '', ...rest] = command.split(/\s+/);
    const body = command.slice(verb.length).trim();
    switch (verb) {
      case 'fields':
      case 'display':
      case 'sort':
      case 'filter':
        read.push(...identifiers(body));
        break;
      case 'stats': {
        // `agg(x) as name, ... by a, b`: aliases are defined, everything else read.
        for (const alias of body.matchAll(/\bas\s+([A-Za-z_]\w*)/g)) defined.add(alias[1] as string);
        read.push(...identifiers(body.replace(/\bas\s+[A-Za-z_]\w*/g, ' ')));
        break;
      }
      case 'parse': {
        for (const capture of body.matchAll(/\(\?<([A-Za-z_]\w*)>/g)) defined.add(capture[1] as string);
        read.push(...identifiers(body));
        break;
      }
      case 'limit':
        break;
      default:
        throw new Error(`unknown Insights command '${verb}' in: ${command} (${rest.length} words)`);
    }
    if (verb === 'filter' && !/\s(or|not)\s|\(/.test(withoutLiterals(body))) {
      for (const clause of body.split(/\s+and\s+/)) {
        const m = COMPARISON.exec(clause.trim());
        if (!m) continue;
        const raw = m[3] as string;
        comparisons.push({
          field: m[1] as string,
          op: m[2] as Comparison['op'],
          value: raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw),
        });
      }
    }
  }
  const fields = [...new Set(read.filter((f) => !defined.has(f)))];
  return { fields, comparisons };
}

/** The value at a dotted path of a JSON record, or undefined. */
export function valueAt(record: unknown, path: string): unknown {
  let node: unknown = record;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether a comparison holds for a record (Insights compares numbers numerically). */
export function holds(record: unknown, c: Comparison): boolean {
  const v = valueAt(record, c.field);
  if (v === undefined) return false;
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '>=':
      return Number(v) >= Number(c.value);
    case '<=':
      return Number(v) <= Number(c.value);
    case '>':
      return Number(v) > Number(c.value);
    case '<':
      return Number(v) < Number(c.value);
  }
}
