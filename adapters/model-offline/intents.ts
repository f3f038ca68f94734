import { cutAtCodePoint } from '../../core/index.js';

/**
 * What the offline model recognises in a request: plain patterns, no language model. Each detector returns
 * the arguments of the tool that would answer, or undefined.
 *
 * Every rule runs in time linear in its input (no pattern that backtracks over the rest of the text at each
 * position: a 100 000-character request must not stall the event loop), and the detectors read the first
 * {@link RULE_CHARS} characters of a request only.
 */

/** The part of a request the detectors read: requests they recognise are short. */
export const RULE_CHARS = 2_000;
const head = (text: string) => cutAtCodePoint(text, RULE_CHARS);

const FUNCTIONS = ['sqrt', 'abs', 'round', 'floor', 'ceil', 'min', 'max', 'sin', 'cos', 'tan', 'log', 'ln', 'exp', 'pow', 'pi', 'e'];
const WORD_OPERATORS: [RegExp, string][] = [
  [/\bsquare root of\s+(\d+(?:\.\d+)?)/g, 'sqrt($1)'],
  // (?<!\d): a number is tried from its first digit only, not again from each of its digits.
  [/(?<!\d)(\d+(?:\.\d+)?)\s*%\s*of\s+(\d+(?:\.\d+)?)/g, '($1 / 100 * $2)'],
  [/(?<!\d)(\d+(?:\.\d+)?)\s+percent of\s+(\d+(?:\.\d+)?)/g, '($1 / 100 * $2)'],
  [/\bmultiplied by\b/g, '*'],
  [/\bdivided by\b/g, '/'],
  [/\bto the power of\b/g, '^'],
  [/(\d)\s*[x×]\s*(\d)/g, '$1 * $2'],
  [/÷/g, '/'],
  [/\btimes\b/g, '*'],
  [/\bplus\b/g, '+'],
  [/\bminus\b/g, '-'],
  [/\bsquared\b/g, '^2'],
  [/\bcubed\b/g, '^3'],
];

/** An arithmetic expression in the text (`17 * 23`, `square root of 16`, `15% of 80`), for the calculator. */
export function findExpression(text: string): string | undefined {
  text = head(text);
  if (/\d{4}-\d{2}-\d{2}/.test(text)) return undefined; // a date, not a subtraction
  let normalized = text.toLowerCase().replace(/(\d),(\d{3})\b/g, '$1$2');
  for (const [pattern, replacement] of WORD_OPERATORS) normalized = normalized.replace(pattern, replacement);
  let best: string | undefined;
  for (const run of expressionRuns(normalized)) {
    const candidate = trimEnd(run.trim(), /[\s,]/);
    const hasNumber = /\d/.test(candidate);
    const hasOperator = /\d\s*[-+*/^%]\s*[\d(a-z]|\)\s*[-+*/^%]|[a-z]+\s*\(/.test(candidate);
    if (hasNumber && hasOperator && (!best || candidate.length > best.length)) best = candidate;
  }
  return best && balanced(best) ? best : undefined;
}

const WORD = /[a-z]+/y;

/** Maximal runs of characters and words an expression is made of. */
function expressionRuns(text: string): string[] {
  const runs: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0];
    if (word) {
      if (FUNCTIONS.includes(word)) current += word;
      else {
        runs.push(current);
        current = '';
      }
      i += word.length;
      continue;
    }
    const char = text[i];
    if (/[\d.\s+\-*/^%(),]/.test(char)) current += char;
    else {
      runs.push(current);
      current = '';
    }
    i++;
  }
  runs.push(current);
  return runs.filter((run) => run.trim());
}

function balanced(expression: string): boolean {
  let depth = 0;
  for (const char of expression) {
    if (char === '(') depth++;
    if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** A few city names people ask about, to IANA zones; anything shaped `Area/City` is passed on as is. */
const CITY_ZONES: Record<string, string> = {
  london: 'Europe/London', paris: 'Europe/Paris', berlin: 'Europe/Berlin', madrid: 'Europe/Madrid', rome: 'Europe/Rome',
  amsterdam: 'Europe/Amsterdam', stockholm: 'Europe/Stockholm', moscow: 'Europe/Moscow', istanbul: 'Europe/Istanbul',
  'new york': 'America/New_York', nyc: 'America/New_York', boston: 'America/New_York', chicago: 'America/Chicago',
  denver: 'America/Denver', 'los angeles': 'America/Los_Angeles', 'san francisco': 'America/Los_Angeles', seattle: 'America/Los_Angeles',
  toronto: 'America/Toronto', 'mexico city': 'America/Mexico_City', 'sao paulo': 'America/Sao_Paulo', 'são paulo': 'America/Sao_Paulo',
  'buenos aires': 'America/Argentina/Buenos_Aires', tokyo: 'Asia/Tokyo', seoul: 'Asia/Seoul', beijing: 'Asia/Shanghai', shanghai: 'Asia/Shanghai',
  'hong kong': 'Asia/Hong_Kong', singapore: 'Asia/Singapore', mumbai: 'Asia/Kolkata', delhi: 'Asia/Kolkata', 'new delhi': 'Asia/Kolkata',
  dubai: 'Asia/Dubai', sydney: 'Australia/Sydney', melbourne: 'Australia/Melbourne', auckland: 'Pacific/Auckland', cairo: 'Africa/Cairo',
  lagos: 'Africa/Lagos', nairobi: 'Africa/Nairobi', johannesburg: 'Africa/Johannesburg', utc: 'UTC', gmt: 'UTC',
};

/** `time.now` arguments when the text asks for the time or date (`{ timeZone }` when a place is named). */
export function findTimeQuestion(text: string): { timeZone?: string } | undefined {
  text = head(text);
  const lower = text.toLowerCase();
  const asks = /\b(what time|time is it|current time|the time\b|time now|time in\b|what day|today'?s date|the date\b|what date|date today|which day)/.test(lower);
  if (!asks) return undefined;
  const zone = findZone(text);
  return zone ? { timeZone: zone } : {};
}

const CITY_PATTERNS = Object.entries(CITY_ZONES).map(([city, zone]) => [new RegExp(`\\b${city}\\b`), zone] as const);

function findZone(text: string): string | undefined {
  const iana = /\b([A-Z][a-zA-Z]+\/[A-Z][a-zA-Z_]+(?:\/[A-Z][a-zA-Z_]+)?)\b/.exec(text)?.[1];
  if (iana) return iana;
  const lower = text.toLowerCase();
  const place = placeAtEnd(lower)?.trim();
  if (place && CITY_ZONES[place]) return CITY_ZONES[place];
  for (const [pattern, zone] of CITY_PATTERNS) if (pattern.test(lower)) return zone;
  return undefined;
}

const PLACE_CHAR = /[a-zà-ÿ .'-]/;
const NOW_WORDS = ['right now', 'now', 'today'];
const IN_WORD = /\bin /g;

/**
 * The place of "… in <place> [right now | now | today] [?.!,]" at the end of the (lower-case) text: what
 * `/\bin ([a-zà-ÿ .'-]+?)(?:\s+(?:right now|now|today))?\s*[?.!,]*$/` finds, without its quadratic
 * backtracking: the end is peeled off from the back, then the first "in " of the letters that reach the end.
 */
function placeAtEnd(lower: string): string | undefined {
  let end = lower.length;
  while (end > 0 && '?.!,'.includes(lower[end - 1])) end--;
  while (end > 0 && /\s/.test(lower[end - 1])) end--;
  // With the "now" word taken off first (the shortest place wins), then as part of the place.
  for (const withoutNow of [true, false]) {
    let placeEnd = end;
    if (withoutNow) {
      const word = NOW_WORDS.find((w) => lower.endsWith(w, end));
      if (!word) continue;
      placeEnd = end - word.length;
      const beforeSpaces = placeEnd;
      while (placeEnd > 0 && /\s/.test(lower[placeEnd - 1])) placeEnd--;
      if (placeEnd === beforeSpaces) continue; // the word must follow whitespace
    }
    let start = placeEnd;
    while (start > 0 && PLACE_CHAR.test(lower[start - 1])) start--;
    // "in " is made of place characters: the first one whose place reaches placeEnd starts at most 3 before.
    IN_WORD.lastIndex = Math.max(0, start - 3);
    for (let match = IN_WORD.exec(lower); match && match.index + 3 < placeEnd; match = IN_WORD.exec(lower)) {
      if (match.index + 3 >= start) return lower.slice(match.index + 3, placeEnd);
    }
  }
  return undefined;
}

/** `time.diff` arguments for "how many days until 2025-12-25". */
export function findDateDifference(text: string): { from: string; to: string; unit: string } | undefined {
  text = head(text);
  // The first "until <date>" and the first line end at or after the position reached: each is searched for
  // again only once it falls behind, so the text is scanned once in all.
  let date: RegExpExecArray | null | undefined;
  let lineEnd = -1;
  for (const how of text.matchAll(HOW)) {
    const after = how.index + how[0].length;
    UNIT.lastIndex = after;
    const unitWord = UNIT.exec(text)?.[0] ?? '';
    const from = after + unitWord.length;
    if (date === undefined || (date !== null && date.index < from)) {
      DATE.lastIndex = from;
      date = DATE.exec(text);
    }
    if (lineEnd !== Infinity && lineEnd < from) {
      LINE_END.lastIndex = from;
      lineEnd = LINE_END.exec(text)?.index ?? Infinity;
    }
    // `.*?` does not cross a line end: the date must be on the line of "how many".
    if (date && lineEnd >= date.index) return difference(date[1], unitWord);
    // The word after "how many" may itself be the "until" of the date (then there is no unit).
    DATE_HERE.lastIndex = after;
    const here = DATE_HERE.exec(text);
    if (here) return difference(here[1], '');
    if (date === null) return undefined;
  }
  return undefined;
}

/*
 * findDateDifference finds what /\bhow (?:many|much|long)\s+(\w+)?.*?\b(?:until|till|to|since)\s+(<date>)/i
 * finds, without the lazy `.*?` running to the end of the text again from each "how many".
 */
const HOW = /\bhow (?:many|much|long)\s+/gi;
const UNIT = /\w+/y;
const DATE_SOURCE = String.raw`\b(?:until|till|to|since)\s+(\d{4}-\d{2}-\d{2}(?:T[\d:]+)?)`;
const DATE = new RegExp(DATE_SOURCE, 'gi');
const DATE_HERE = new RegExp(DATE_SOURCE, 'yi');
const KNOWN_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'];

function difference(to: string, unitWord: string): { from: string; to: string; unit: string } {
  const unit = unitWord.toLowerCase();
  return { from: 'now', to, unit: KNOWN_UNITS.includes(unit) ? unit : 'days' };
}

const LINE_END = /[\n\r\u2028\u2029]/g;

/** `filesystem.list` arguments for "list the files (in docs)". */
export function findListRequest(text: string): { path?: string } | undefined {
  text = head(text);
  const lower = text.toLowerCase();
  if (!/^\s*ls\b/.test(lower) && !asksForFiles(lower)) return undefined;
  if (/\b(read|open|contents? of)\b/.test(lower)) return undefined;
  const path = /\b(?:in|inside|under|of)\s+(?:the\s+)?(?:folder\s+|directory\s+)?["'`]?([\w.\-/]+)["'`]?\s*[?.!]*$/i.exec(endOf(text))?.[1];
  return path && !['workspace', 'the', 'my'].includes(path.toLowerCase()) ? { path } : {};
}

/** /\b(list|show|what|which)\b.*\b(files?|…)\b/ in one pass per line: a verb, then a noun after it on its line. */
function asksForFiles(lower: string): boolean {
  for (const line of lower.split(/[\n\r\u2028\u2029]/)) {
    const verb = /\b(?:list|show|what|which)\b/.exec(line);
    if (!verb) continue;
    const noun = /\b(?:files?|folders?|directory|directories|workspace)\b/g;
    noun.lastIndex = verb.index + verb[0].length;
    if (noun.test(line)) return true;
  }
  return false;
}

/** The last words of a text (an end-anchored pattern then starts at most a few hundred characters back). */
function endOf(text: string, chars = 300): string {
  if (text.length <= chars) return text;
  const tail = text.slice(-chars);
  // Start at a word: the rest of a cut word would pass for a word of its own.
  const space = tail.search(/\s/);
  return space === -1 ? '' : tail.slice(space);
}

const PATH = `["'\`]?((?:[\\w.-]+\\/)*[\\w-]+\\.[\\w]+|[\\w.-]+(?:\\/[\\w.-]+)+)["'\`]?`;

/** `filesystem.read` arguments for "read notes.txt" / "what's in docs/a.md". */
export function findReadRequest(text: string): { path: string } | undefined {
  text = head(text);
  const match = new RegExp(`\\b(?:read|open|show|cat|display|print|contents? of|what'?s in|what is in)\\s+(?:me\\s+)?(?:the\\s+)?(?:file\\s+)?${PATH}`, 'i').exec(text);
  return match ? { path: match[1] } : undefined;
}

/** `filesystem.write` arguments for `write "hello" to notes.txt`. */
const WRITE_START = /\b(?:write|save|put)\s+["“']/i;
const WRITE_TARGET = new RegExp(`["”']\\s+(?:to|into|in)\\s+(?:the\\s+)?(?:file\\s+)?${PATH}`, 'gi');

/**
 * `filesystem.write` arguments for `write "hello" to notes.txt`: what
 * /\b(?:write|save|put)\s+["“'](.+?)["”']\s+(?:to|into|in)\s+…<path>/is finds, without trying the lazy
 * content from every "write" again: the first opening, then the first target after at least one character.
 */
export function findWriteRequest(text: string): { path: string; content: string } | undefined {
  const open = WRITE_START.exec(text);
  if (!open) return undefined;
  const contentStart = open.index + open[0].length;
  WRITE_TARGET.lastIndex = contentStart + 1;
  const target = WRITE_TARGET.exec(text);
  return target ? { content: text.slice(contentStart, target.index), path: target[1] } : undefined;
}

/** `http.fetch` arguments for a URL in the text. */
export function findUrl(text: string): { url: string } | undefined {
  const found = /\bhttps?:\/\/[^\s"'<>)\]]+/i.exec(text)?.[0];
  const url = found && trimEnd(found, /[.,;:!?]/);
  return url ? { url } : undefined;
}

/** `text` without the characters `char` matches at its end (`replace(/[…]+$/, '')` backtracks on inner runs). */
function trimEnd(text: string, char: RegExp): string {
  let end = text.length;
  while (end > 0 && char.test(text[end - 1])) end--;
  return text.slice(0, end);
}

/** A greeting is short; a long text is not one (and the pattern would backtrack over it). */
const GREETING_CHARS = 200;

export function isGreeting(text: string): boolean {
  if (text.length > GREETING_CHARS) return false;
  return /^\s*(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|greetings|yo|bonjour|hallo|hola)\b[\s!.,]*(there|everyone|all|agent)?[\s!.,]*$/i.test(text);
}

export function isThanks(text: string): boolean {
  if (text.length > GREETING_CHARS) return false;
  return /^\s*(thanks|thank you|thx|cheers|great|perfect|ok(ay)?)\b[\s\w!.,]{0,30}$/i.test(text);
}

export function asksCapabilities(text: string): boolean {
  return /\b(who are you|what are you|what can you do|help me\b|^help\b|your capabilities|which tools)/i.test(text);
}

/** "my name is Ada" → "Ada". */
export function statedName(text: string): string | undefined {
  const name = /\b[Mm]y name is\s+(\p{L}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)/u.exec(text)?.[1];
  if (!name || ['not', 'a', 'the', 'secret', 'none'].includes(name.toLowerCase())) return undefined;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function asksName(text: string): boolean {
  return /\bwhat(?:'s| is) my name\b|\bwho am i\b|\bdo you (?:know|remember) my name\b/i.test(text);
}

export function asksPrevious(text: string): boolean {
  return /\bwhat did i (?:just )?(?:say|ask|write)\b|\bmy (?:previous|last|earlier) (?:question|message)\b/i.test(text);
}

const STOPWORDS = new Set(
  'the a an and or of to in on at for with by from is are was were be been it its this that these those what which who whom how why when where do does did can could should would will about into over under than then there their them they you your we our i me my as not no yes if but so'.split(' '),
);

/** The words that carry the meaning of a question, for matching passages. */
export function keywords(text: string): string[] {
  return [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2 && !STOPWORDS.has(w)))];
}
