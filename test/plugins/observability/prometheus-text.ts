/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it throws, naming the line, on
 * anything a Prometheus server would reject or that the format forbids: a malformed sample or label, a bad
 * escape, a family split in two, a TYPE after its samples or twice, a duplicate series, histogram buckets out
 * of order, not cumulative, or whose +Inf bucket differs from _count.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  readonly samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (text.length && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: ParsedFamily | undefined;
  const lines = text.split('\n');
  lines.pop();
  const family = (name: string, lineNo: number): ParsedFamily => {
    if (current?.name === name) return current;
    if (current) finished.add(current.name);
    if (finished.has(name)) throw new Error(`line ${lineNo}: samples of ${name} are not contiguous`);
    let found = families.get(name);
    if (!found) families.set(name, (found = { name, type: 'untyped', samples: [] }));
    current = found;
    return found;
  };
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${lineNo}: ${JSON.stringify(name)} is not a metric name`);
      const target = family(name, lineNo);
      if (keyword === 'HELP') {
        if (target.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        target.help = unescape(rest, false, lineNo);
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: unknown type ${JSON.stringify(rest)}`);
        if (target.samples.length) throw new Error(`line ${lineNo}: TYPE of ${name} after its samples`);
        if ((target as { typed?: boolean }).typed) throw new Error(`line ${lineNo}: second TYPE for ${name}`);
        (target as { typed?: boolean }).typed = true;
        target.type = rest as ParsedFamily['type'];
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const base = familyNameOf(sample.name, current);
    const target = family(base, lineNo);
    const key = `${sample.name}{${Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (series.has(key)) throw new Error(`line ${lineNo}: duplicate series ${key}`);
    series.add(key);
    target.samples.push(sample);
  });
  for (const parsed of families.values()) if (parsed.type === 'histogram') checkHistogram(parsed);
  return families;
}

/** `x_bucket`, `x_sum`, `x_count` belong to histogram (or summary) `x` when that is the family being read. */
function familyNameOf(sampleName: string, current: ParsedFamily | undefined): string {
  if (current && (current.type === 'histogram' || current.type === 'summary')) {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (sampleName === current.name + suffix) return current.name;
    }
  }
  return sampleName;
}

function parseSample(line: string, lineNo: number): ParsedSample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i])) i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new Error(`line ${lineNo}: no metric name in ${JSON.stringify(line)}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      while (i < line.length && /[a-zA-Z0-9_]/.test(line[i])) i++;
      const label = line.slice(start, i);
      if (!LABEL_NAME.test(label)) throw new Error(`line ${lineNo}: bad label name at column ${start + 1}`);
      if (label in labels) throw new Error(`line ${lineNo}: label ${label} given twice`);
      if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`line ${lineNo}: expected ="value" after ${label}`);
      i += 2;
      let raw = '';
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          raw += line.slice(i, i + 2);
          i += 2;
        } else raw += line[i++];
      }
      if (line[i] !== '"') throw new Error(`line ${lineNo}: unterminated label value`);
      i++;
      labels[label] = unescape(raw, true, lineNo);
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`line ${lineNo}: expected , or } at column ${i + 1}`);
    }
  }
  if (line[i] !== ' ') throw new Error(`line ${lineNo}: expected a space before the value`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new Error(`line ${lineNo}: expected "value [timestamp]"`);
  const value = parseValue(parts[0], lineNo);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${lineNo}: bad timestamp ${parts[1]}`);
  return { name, labels, value };
}

/** As Prometheus reads values (Go's strconv.ParseFloat): Inf and NaN in any case (prom-client writes "Nan"). */
function parseValue(text: string, lineNo: number): number {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf' || word === '+infinity' || word === 'infinity') return Infinity;
  if (word === '-inf' || word === '-infinity') return -Infinity;
  if (word === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${lineNo}: ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

function unescape(raw: string, quoted: boolean, lineNo: number): string {
  return raw.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quoted) return '"';
    throw new Error(`line ${lineNo}: bad escape \\${c}`);
  });
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([parseValue(le, 0), sample.value]);
    } else if (sample.name === `${family.name}_sum`) group.sum = sample.value;
    else if (sample.name === `${family.name}_count`) group.count = sample.value;
    else throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`);
  }
  for (const [key, group] of groups) {
    const where = `${family.name} ${key}`;
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: _sum or _count missing`);
    if (group.buckets.at(-1)?.[0] !== Infinity) throw new Error(`${where}: the last bucket is not le="+Inf"`);
    for (let i = 1; i < group.buckets.length; i++) {
      if (!(group.buckets[i][0] > group.buckets[i - 1][0])) throw new Error(`${where}: bucket bounds not ascending`);
      if (group.buckets[i][1] < group.buckets[i - 1][1]) throw new Error(`${where}: buckets not cumulative`);
    }
    if (group.buckets.at(-1)![1] !== group.count) throw new Error(`${where}: +Inf bucket ${group.buckets.at(-1)![1]} != _count ${group.count}`);
  }
}

/** The samples of `name` (a sample name, e.g. `x_count`) whose labels include `labels`. */
export function samplesOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v)) out.push(sample);
    }
  }
  return out;
}

/** The sum of the values of `samplesOf(...)`. */
export function total(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(families, name, labels).reduce((sum, s) => sum + s.value, 0);
}
