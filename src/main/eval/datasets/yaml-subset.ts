/**
 * The part of YAML that Ultralytics `data.yaml` files use: top-level `key: scalar`, and `names` as
 * a flow list (`[a, b]`), a block list (`- a`) or a block map (`0: a`). Anything else is skipped.
 */
export type YamlValue = string | string[] | Record<string, string>;

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

function stripComment(line: string): string {
  // A '#' starts a comment only outside quotes and at the start or after a space.
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function splitFlow(inner: string): string[] {
  const items: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (const c of inner) {
    if (quote) {
      cur += c;
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ',') {
      items.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') items.push(cur);
  return items.map(unquote).filter((s) => s !== '');
}

export function parseYamlSubset(text: string): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  const lines = text.split(/\r?\n/).map(stripComment);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    i++;
    const m = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    const rest = m[2]!.trim();
    if (rest.startsWith('[')) {
      let flow = rest;
      while (!flow.includes(']') && i < lines.length) flow += ' ' + lines[i++]!.trim();
      out[key] = splitFlow(flow.slice(1, flow.lastIndexOf(']')));
    } else if (rest.startsWith('{')) {
      let flow = rest;
      while (!flow.includes('}') && i < lines.length) flow += ' ' + lines[i++]!.trim();
      const map: Record<string, string> = {};
      for (const item of splitFlow(flow.slice(1, flow.lastIndexOf('}')))) {
        const c = item.indexOf(':');
        if (c > 0) map[unquote(item.slice(0, c))] = unquote(item.slice(c + 1));
      }
      out[key] = map;
    } else if (rest !== '') {
      out[key] = unquote(rest);
    } else {
      // A block: indented `- item` lines or indented `k: v` lines.
      const list: string[] = [];
      const map: Record<string, string> = {};
      while (i < lines.length && (/^\s+\S/.test(lines[i]!) || lines[i]!.trim() === '')) {
        const l = lines[i++]!.trim();
        if (l === '') continue;
        if (l.startsWith('- ') || l === '-') list.push(unquote(l.slice(1)));
        else {
          const c = l.indexOf(':');
          if (c > 0) map[unquote(l.slice(0, c))] = unquote(l.slice(c + 1));
        }
      }
      out[key] = list.length > 0 ? list : map;
    }
  }
  return out;
}

/** Class names from a parsed `names` value: a list, or a map of index to name (gaps reported). */
export function namesFromYaml(value: YamlValue | undefined): { names: string[]; problems: string[] } {
  if (value === undefined) return { names: [], problems: ['no names: entry'] };
  if (typeof value === 'string')
    return { names: [], problems: [`names: is a single value '${value}', not a list or map`] };
  if (Array.isArray(value)) return { names: value, problems: [] };
  const names: string[] = [];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const idx = Number(k);
    if (!Number.isInteger(idx) || idx < 0) problems.push(`names: key '${k}' is not a class index`);
    else names[idx] = v;
  }
  for (let j = 0; j < names.length; j++)
    if (names[j] === undefined) {
      problems.push(`names: class index ${j} has no name`);
      names[j] = String(j);
    }
  return { names, problems };
}
