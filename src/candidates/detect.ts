import { sentenceSpans } from "../corpus/passages.js";
import { compactKey, isStopword, tokenize } from "../text/tokens.js";

/** A name in a document that looks like a model or lab and matches no catalogue entry. */
export interface FoundCandidate {
  /** As written in the text. */
  readonly name: string;
  /** The sentence it appears in, verbatim (a window of it when the sentence is very long). */
  readonly sentence: string;
}

/** Catalogue names and aliases, compared ignoring case, spaces and punctuation. */
export interface KnownNames {
  readonly all: ReadonlySet<string>;
  /** Leading words of known names ("claude", "claudeopus"): a family, when named alone. */
  readonly families: ReadonlySet<string>;
  /** Labs' names: "OpenAI GPT-6" is GPT-6, and "Google 25" is a count, not a model. */
  readonly labs: ReadonlySet<string>;
}

export function knownNames(names: {
  readonly models: Iterable<string>;
  readonly labs: Iterable<string>;
}): KnownNames {
  const keys = (list: Iterable<string>) =>
    new Set([...list].map((name) => compactKey(name)).filter(Boolean));
  const labs = keys(names.labs);
  const families = new Set<string>();
  for (const name of [...names.models, ...names.labs]) {
    const words = tokenize(name);
    for (let i = 1; i < words.length; i++) families.add(words.slice(0, i).join(""));
  }
  return { all: new Set([...keys(names.models), ...labs]), families, labs };
}

/** Verbs that announce a model: an unversioned name right beside one is a candidate. */
const TRIGGERS = new Set(
  (
    "release releases released releasing launch launches launched launching " +
    "open-sources open-sourced open-sourcing unveil unveils unveiled unveiling weights"
  ).split(" "),
);
/** Words allowed between a trigger and the name after it: "released its new model Magistral". */
const LEADING_FILLERS = new Set(
  (
    "the a an its their his her our new latest first open open-weight open-weights " +
    "open-source model models called named of for version family"
  ).split(" "),
);
/** Words allowed between the name and a trigger after it: "Magistral was quietly released". */
const TRAILING_FILLERS = new Set(
  (
    "is was were are has have had been be just quietly finally also officially today now " +
    "recently newly publicly"
  ).split(" "),
);
/** Capitalised words that start sentences, dates and references but never a name. */
const NEVER_NAMES = new Set(
  (
    "today yesterday tomorrow tonight last next this that these those meanwhile however also " +
    "still now then here there yes no even just only both each every some many most several " +
    "other another new after before since until while when where why how what which who " +
    "i we you he she it they our their his her its my your us me them " +
    "monday tuesday wednesday thursday friday saturday sunday " +
    "january february march april may june july august september october november december " +
    "jan feb mar apr jun jul aug sep sept oct nov dec " +
    "table figure fig section chapter part episode appendix step phase round season volume " +
    "vol issue page item level tier stage day week month year number no version " +
    "american chinese european british french german japanese korean indian canadian " +
    "israeli russian open model models"
  ).split(" "),
);
/** Versioned names that are not models: licences, software, hardware makers' lines, events, benchmarks. */
const NOT_MODELS = new Set(
  (
    "apache mit gpl agpl lgpl bsd cc python cuda pytorch tensorflow windows ios android macos " +
    "linux ubuntu iphone ipad chrome safari firefox excel covid mmlu gpqa aime hle mmmu " +
    "usamo imo math arc ces gtc neurips icml iclr cvpr acl web fortune world soc"
  ).split(" "),
);
/** Lowercase words that end a versioned name: "GPT-5.4 mini". */
const SUFFIXES = new Set(
  "mini nano pro max flash lite turbo instruct thinking preview base chat coder".split(" "),
);
/** Words that name a variant, not a model, when they stand alone: "its Ultra variant". */
const VARIANTS = new Set([
  ...SUFFIXES,
  ..."ultra super think large small medium plus omni vision".split(" "),
]);
/** A verb or adverb starting a sentence: "Hosting 400B parameters", "Continuously releasing". */
const VERB_FORM = /^\p{Lu}\p{Ll}{2,}(?:ing|ly)$/u;
/** A word glued to a number by a page's layout: "Timeline2019". */
const GLUED = /^\p{Lu}\p{Ll}{4,}\d{2,}$/u;

/** Hyphens and apostrophes join words; a dot joins only digits ("3.5", not "Yeah.00"). */
const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}]|(?<=\d)\.(?=\d)|[-'’](?=[\p{L}\p{N}]))*/gu;
/** Transcript timestamps, often glued to the words around them ("Yeah.00:19:32"). */
const TIMESTAMP = /\d{1,2}:\d{2}(?::\d{2})?/g;
const CONTRACTION = /['’](?:d|ll|re|ve|m|t)$/i;
const NUMBER_FORMAT = /^(?:mx|nv)?(?:fp|int|uint|bf|bfloat|e\dm)\d+/i;
const VERSION = /^v?\d+(?:\.\d+)*[a-z]{0,2}$/i;
const YEAR = /^(?:19|20)\d\d$/;
const QUARTER = /^[QH][1-4]$/;
/** Chips such as H100, B200, MI300X, GB200. */
const HARDWARE = /^[A-Z]{1,3}\d{2,4}[A-Z]{0,2}s?$/;
const ADJECTIVE_SUFFIX = /-(?:class|level|style|based|like|sized|scale|grade|era|powered)$/i;
const MAX_SENTENCE = 600;

interface Word {
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
  /** Punctuation (not just space) separates it from the word before. */
  readonly breakBefore: boolean;
  /** Written with 's: a name may end here but goes no further. */
  readonly possessive: boolean;
  /** A price or a share ("$2.50", "90%"), never a version. */
  readonly amount: boolean;
}

/**
 * Names in `text` that look like a model or lab and are not in `known`, each once, with the
 * first sentence it appears in. A name looks like one when it is a capitalised name with a
 * version ("GPT-5.5", "Kimi K3", "Qwen3.5-Max"), or any capitalised name right beside
 * "released", "launched", "open-sourced", "unveiled" or "weights" ("Mistral released
 * Magistral"). Dates, years, counts, chips, number formats, licences, benchmarks and references
 * ("Table 3") are not.
 */
export function findCandidates(text: string, known: KnownNames): FoundCandidate[] {
  const scanned = text.replace(TIMESTAMP, (t) => " ".repeat(t.length));
  // A capitalised word that the document also writes in lower case is a common word that
  // starts a sentence ("Over 90 labs"), not a name.
  const common = new Set<string>();
  for (const m of scanned.matchAll(WORD)) if (/^\p{Ll}/u.test(m[0])) common.add(m[0]);
  const found = new Map<string, FoundCandidate>();
  for (const span of sentenceSpans(scanned)) {
    const sentence = scanned.slice(span.start, span.end);
    for (const name of namesIn(sentence, known, common)) {
      const key = compactKey(name.text);
      if (found.has(key)) continue;
      const original = text.slice(span.start, span.end);
      found.set(key, { name: name.text, sentence: around(original, name.start, name.end) });
    }
  }
  return [...found.values()];
}

interface Span {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function namesIn(sentence: string, known: KnownNames, common: ReadonlySet<string>): Span[] {
  const words = wordsOf(sentence);
  const out: Span[] = [];
  for (const [from, to] of runs(words)) {
    let run = words.slice(from, to);
    const head = run[0]!;
    const startsClause = from === 0 || head.breakBefore;
    if (
      /^\p{Lu}\p{Ll}+$/u.test(head.text) &&
      (VERB_FORM.test(head.text) || (startsClause && common.has(head.lower)))
    )
      run = run.slice(1);
    const cut = run.findIndex((w) => ADJECTIVE_SUFFIX.test(w.text));
    if (cut >= 0) {
      const w = run[cut]!;
      const bare = w.text.replace(ADJECTIVE_SUFFIX, "");
      run = [
        ...run.slice(0, cut),
        { ...w, text: bare, lower: bare.toLowerCase(), end: w.start + bare.length },
      ];
    }
    while (run.length && YEAR.test(run.at(-1)!.text)) run = run.slice(0, -1);
    if (!run.length || VERSION.test(run[0]!.text)) continue;
    if (!versioned(run) && !besideTrigger(words, from, to)) continue;
    if (known.all.has(key(run))) continue;
    // "OpenAI GPT-6": the lab is not part of the name ("Mistral Small 4" keeps it).
    for (let i = run.length - 1; i >= 1; i--) {
      const rest = run.slice(i);
      if (
        known.labs.has(key(run.slice(0, i))) &&
        versioned(rest) &&
        !VERSION.test(rest[0]!.text) &&
        !VARIANTS.has(rest[0]!.lower)
      ) {
        run = rest;
        break;
      }
    }
    if (known.all.has(key(run)) || !looksLikeAName(run, known)) continue;
    const start = run[0]!.start;
    const end = run.at(-1)!.end;
    out.push({ text: sentence.slice(start, end), start, end });
  }
  return out;
}

const versioned = (run: readonly Word[]) =>
  run.some((w) => /\d/.test(w.text) && !YEAR.test(w.text));

function key(run: readonly Word[]): string {
  return compactKey(run.map((w) => w.text).join(" "));
}

function looksLikeAName(run: readonly Word[], known: KnownNames): boolean {
  if (NOT_MODELS.has(run[0]!.lower.split("-")[0]!)) return false;
  if (run.some((w) => /bench|eval|arena/i.test(w.text))) return false;
  if (versioned(run)) {
    const numbered = run.filter((w) => /\d/.test(w.text) && !YEAR.test(w.text));
    if (numbered.every((w) => HARDWARE.test(w.text) || NUMBER_FORMAT.test(w.text))) return false;
    // "Google 25" in a table is a count.
    const head = run.findIndex((w) => /^\d+$/.test(w.text));
    return !(
      head > 0 &&
      known.labs.has(key(run.slice(0, head))) &&
      run.slice(head).every((w) => /^\d+$/.test(w.text))
    );
  }
  // A family of known entries ("Claude", "Olmo") is not new.
  if (known.families.has(key(run))) return false;
  // A short acronym on its own (API, LLM, GPUs) is a common noun, not a name.
  return !(
    run.length === 1 &&
    (/^[A-Z]{1,4}s?$/.test(run[0]!.text) || VARIANTS.has(run[0]!.lower))
  );
}

/** Maximal runs of name words, as [from, to) indexes. */
function runs(words: readonly Word[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = -1;
  const close = (to: number) => {
    if (from >= 0) out.push([from, to]);
    from = -1;
  };
  words.forEach((w, i) => {
    const previous = words[i - 1];
    if (from >= 0 && (w.breakBefore || previous?.possessive)) close(i);
    const inRun = from >= 0;
    const capitalised =
      /^\p{Lu}/u.test(w.text) &&
      !isStopword(w.lower) &&
      !NEVER_NAMES.has(w.lower) &&
      !TRIGGERS.has(w.lower) &&
      !QUARTER.test(w.text) &&
      !CONTRACTION.test(w.text) &&
      !GLUED.test(w.text);
    const nameWord =
      capitalised ||
      (inRun && VERSION.test(w.text) && !w.amount) ||
      (inRun && SUFFIXES.has(w.text) && /\d/.test(previous!.text));
    if (!nameWord) close(i);
    else if (!inRun) from = i;
  });
  close(words.length);
  return out;
}

/** Whether the run [from, to) sits right before or after a trigger, fillers allowed between. */
function besideTrigger(words: readonly Word[], from: number, to: number): boolean {
  for (let i = to; i < words.length && !words[i]!.breakBefore; i++) {
    if (TRIGGERS.has(words[i]!.lower)) return true;
    if (!TRAILING_FILLERS.has(words[i]!.lower)) break;
  }
  for (let i = from - 1; i >= 0 && !words[i + 1]!.breakBefore; i--) {
    if (TRIGGERS.has(words[i]!.lower)) return true;
    if (!LEADING_FILLERS.has(words[i]!.lower)) break;
  }
  return false;
}

function wordsOf(sentence: string): Word[] {
  const words: Word[] = [];
  let previousEnd = 0;
  for (const m of sentence.matchAll(WORD)) {
    const possessive = /['’]s$/i.test(m[0]);
    const text = possessive ? m[0].slice(0, -2) : m[0];
    words.push({
      text,
      lower: text.toLowerCase(),
      start: m.index,
      end: m.index + text.length,
      breakBefore: /\S/.test(sentence.slice(previousEnd, m.index)),
      possessive,
      amount: /[$€£]/.test(sentence[m.index - 1] ?? "") || sentence[m.index + m[0].length] === "%",
    });
    previousEnd = m.index + m[0].length;
  }
  return words;
}

/** The sentence, or a window of it around the name cut at spaces: still a verbatim quote. */
function around(sentence: string, start: number, end: number): string {
  if (sentence.length <= MAX_SENTENCE) return sentence;
  const margin = Math.floor((MAX_SENTENCE - (end - start)) / 2);
  let from = Math.max(0, start - margin);
  let to = Math.min(sentence.length, end + margin);
  if (from > 0) from = sentence.indexOf(" ", from) + 1 || from;
  if (to < sentence.length)
    to = sentence.lastIndexOf(" ", to) > end ? sentence.lastIndexOf(" ", to) : to;
  return sentence.slice(from, to).trim();
}

const catalogKnownNames = new WeakMap<object, KnownNames>();

/** The names and aliases of a catalogue's models and labs, built once per catalogue. */
export function catalogNames(catalog: {
  readonly models: ReadonlyArray<{ name: string; aliases: readonly string[] }>;
  readonly labs: ReadonlyArray<{ name: string; aliases: readonly string[] }>;
}): KnownNames {
  let known = catalogKnownNames.get(catalog);
  if (!known) {
    const names = (entries: typeof catalog.models) =>
      entries.flatMap((e) => [e.name, ...e.aliases]);
    known = knownNames({ models: names(catalog.models), labs: names(catalog.labs) });
    catalogKnownNames.set(catalog, known);
  }
  return known;
}
