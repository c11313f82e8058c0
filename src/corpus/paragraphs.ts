/**
 * Restores the breaks a source lost between paragraphs, headings and list items, as in
 * "activities.We went", "Olmo HybridMost of the" or "as follows:* OPT". Only whitespace is
 * inserted, and only where the glue is unmistakable: a missed break costs some readability,
 * a wrong one would split a name such as "U.S.", "TechPolicy.Press", "LinkedIn" or "Q*".
 */

export interface GluedBreak {
  /** Where the break goes, as an offset into the glued text. */
  readonly index: number;
  /** `\n` before a list item (a bullet, a timestamped line), `\n\n` before a paragraph. */
  readonly separator: "\n" | "\n\n";
}

type Add = (index: number, separator: GluedBreak["separator"]) => void;

const PARAGRAPH = "\n\n";
const LINE = "\n";

/**
 * Capitalised words that begin sentences and never end a name. A capitalised word glued to one
 * ("MomentumThe", "HybridMost") is a heading run into its first sentence; glued to any other
 * capitalised word ("DeepSeek", "LinkedIn", "LightOn") it is more likely a name.
 */
const SENTENCE_OPENERS = new Set(
  (
    "The This These Those That There Their They Then It Its We Our My You Your He She His Her " +
    "Most Many Some Several While When What Why How Where Which If Here Yesterday Today However " +
    "Instead Although Though Because Despite Finally Following Unlike Overall An And But Since " +
    "After During"
  ).split(" "),
);

/** Headings of podcast show notes, glued to whatever precedes them ("LLMsTranscript"). */
const SECTION_HEADINGS = /^(?:Chapters|Transcript|Timestamps)(?!\p{Ll})/u;

/** A speaker's turn: "Nathan Lambert (40:25)" or "Ross Taylor: ". */
const SPEAKER = /^\p{Lu}\p{Ll}+ \p{Lu}[\p{L}’'-]+(?: \((?:\d{1,2}:)?\d{1,2}:\d{2}\)|: )/u;

/** Abbreviations that a capitalised name follows ("Dr.Smith", "vs.Claude"). */
const TITLE_ABBREVIATIONS = new Set(
  "Mr Mrs Ms Dr Prof Sr Jr St vs cf Gen Gov Sen Rep Rev Lt Col Capt Sgt Mt Hon".split(" "),
);

/** Abbreviations that a number follows ("Fig.3", "No.1"). */
const NUMBER_ABBREVIATIONS = new Set(
  "No Nos no Fig Figs fig Eq Eqs eq Vol vol Sec sec Ch ch Art Ex Tab pp ver Ver".split(" "),
);

/** Web addresses whose last part is a capitalised word: "TechPolicy.Press", "Latent.Space". */
const DOMAIN_WORDS = new Set(["Press", "Space"]);

/** Characters that make a word code or an identifier, which glued text never is ("$0.025" is a price). */
const CODE_CHARACTERS = /[()[\]{}<>=_/\\#^&*+|~`@]|\$(?!\d)|\.\p{L}/u;

/** Web addresses, handles and code: never split. */
const PROTECTED =
  /(?:https?:\/\/|www\.)(?:[^\s<>"“”()[\]]|\([^\s()]*\))+|(?<![\p{L}\p{N}])@[\p{L}\p{N}_.-]+|```[\s\S]*?```|`[^`\n]+`/gu;

const CLOSERS = `”’"')]`;
const TERMINAL = new RegExp(`[.!?…]+[${CLOSERS.replace("]", "\\]")}]*|:`, "gu");

type Right =
  | { kind: "word"; word: string }
  | { kind: "pronoun" }
  | { kind: "acronym" }
  | { kind: "heading" }
  | { kind: "speaker" }
  | { kind: "list-number" }
  | { kind: "timestamp" }
  | { kind: "number" }
  | { kind: "other" };

/** What starts at `at`: the start of a sentence, a list item, a name… */
function readRight(text: string, at: number): Right {
  const rest = text.slice(at, at + 80);
  if (SPEAKER.test(rest)) return { kind: "speaker" };
  if (SECTION_HEADINGS.test(rest)) return { kind: "heading" };
  if (/^\d{1,2}\.\s/u.test(rest)) return { kind: "list-number" };
  if (/^(?:\d{1,2}:)?\d{1,2}:\d{2}\s/u.test(rest)) return { kind: "timestamp" };
  if (/^\d[\d,]*\s\p{Ll}/u.test(rest)) return { kind: "number" };
  if (/^[IA](?=[\s’'])/u.test(rest)) return { kind: "pronoun" };
  const word = /^\p{Lu}\p{Ll}[\p{L}]*/u.exec(rest);
  if (word) return { kind: "word", word: word[0] };
  if (/^\p{Lu}[\p{Lu}\p{N}]/u.test(rest)) return { kind: "acronym" };
  return { kind: "other" };
}

/** The run of letters and digits that ends at `end`. */
function wordBefore(text: string, end: number): string {
  return /[\p{L}\p{N}]*$/u.exec(text.slice(Math.max(0, end - 40), end))![0];
}

const isLowerWord = (word: string) => /^\p{Ll}{2,}$/u.test(word);
const isLetters = (word: string) => /^\p{L}{2,}$/u.test(word);

/** The separator that goes before what `right` starts. */
const separatorFor = (right: Right): GluedBreak["separator"] =>
  right.kind === "timestamp" ? LINE : PARAGRAPH;

/**
 * After a sentence's end (or a colon) with no space: "activities.We", "follows:Past",
 * "2025).The", "here.00:01:29 Lucas Atkins:", "test.2. Gemini".
 */
function sentenceEnds(text: string, add: Add) {
  for (const m of text.matchAll(TERMINAL)) {
    const start = m.index;
    let at = start + m[0].length;
    const previous = text[start - 1];
    if (previous === undefined || /\s/u.test(previous) || at >= text.length) continue;
    // A straight quote after the punctuation opens the next sentence when the quotes before
    // it in the paragraph are balanced.
    if (m[0].endsWith('"')) {
      const line = text.slice(text.lastIndexOf("\n", start) + 1, at - 1);
      if ((line.match(/"/g)?.length ?? 0) % 2 === 0) at -= 1;
    }
    const opener = /^["“‘(]/u.test(text[at]!) ? 1 : 0;
    const right = readRight(text, at + opener);
    const left = wordBefore(text, start);
    const colon = m[0] === ":";
    // "index.php?Id=3" and "config.Load_model" are code; AWS "re:Invent" is a name.
    if (/[=_`\\{]/u.test(text.slice(at, at + 60).split(/\s/u, 1)[0]!)) continue;
    if (colon && left === "re") continue;
    if (/^\p{L}$/u.test(left)) {
      // An initial or a dotted abbreviation: "U.S.", "e.g.", "Dean W.Ball", "Ph.D.". Only a
      // word that starts sentences shows that the abbreviation also ended one.
      const dotted = /\p{Lu}/u.test(left) && text[start - 2] === ".";
      if (dotted && !colon && right.kind === "word" && SENTENCE_OPENERS.has(right.word))
        add(at, PARAGRAPH);
      continue;
    }
    if (TITLE_ABBREVIATIONS.has(left)) continue;
    switch (right.kind) {
      case "word":
        if (DOMAIN_WORDS.has(right.word) && /^\p{Lu}/u.test(left) && !colon) continue;
        add(at, PARAGRAPH);
        break;
      case "pronoun":
      case "speaker":
      case "heading":
        add(at, PARAGRAPH);
        break;
      case "acronym":
        // "subscriber.AI is", but not "01.AI", "Z.AI" or "SpeechMap.AI".
        if (left === "" || isLowerWord(left)) add(at, PARAGRAPH);
        break;
      case "list-number":
      case "timestamp":
      case "number":
        // "post.1. I’ll", "yeah.00:01:29 Nathan", "progress.2026 will", but not "Fig.3" or "4.5".
        if ((left === "" || isLetters(left)) && !NUMBER_ABBREVIATIONS.has(left))
          add(at, separatorFor(right));
        break;
    }
  }
}

/** A bullet glued to what precedes it: "as follows:* OPT", "research.* LLaMA". */
function bullets(text: string, add: Add) {
  for (const m of text.matchAll(/(?<=[^\s*])\*(?= \S)/gu)) {
    const star = m.index;
    const left = wordBefore(text, star);
    // "Q*" and "A*" are names.
    if (/^\p{Lu}$/u.test(left)) continue;
    const lineStart = text.lastIndexOf("\n", star) + 1;
    const lineEnd = text.indexOf("\n", star);
    const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
    const before = text.slice(lineStart, star);
    // The closing star of "*emphasis* here" is no bullet.
    const opening = before.lastIndexOf("*");
    if (
      opening !== -1 &&
      /\S/u.test(before[opening + 1] ?? "") &&
      (opening === 0 || /[\s([“"‘]/u.test(before[opening - 1]!)) &&
      !before.slice(opening).includes("* ")
    )
      continue;
    // A lone star after a word is a footnote mark; a list has more than one item.
    if ((line.match(/(?:^|\S)\* \S/gu)?.length ?? 0) < 2) continue;
    add(star, LINE);
  }
}

/** A timestamp glued to a word: "Chapters00:00 Intro", "so far05:53 China", "Uh00:42:31 Lucas". */
function timestamps(text: string, add: Add) {
  const glued = /(?<=[\p{L})?!”’…])(?:\d{1,2}:)?\d{1,2}:\d{2}(?= [\p{Lu}\p{N}“"])/gu;
  for (const m of text.matchAll(glued)) add(m.index, LINE);
  // After an interruption ("the ti-00:14:00 Lucas"), only a full hh:mm:ss counts: "UTC-05:00" is
  // an offset.
  for (const m of text.matchAll(/(?<=\p{L}-)\d{2}:\d{2}:\d{2}(?= \p{Lu})/gu)) add(m.index, LINE);
}

/** A closing parenthesis glued to a sentence: "(example)The", "Nathan Lambert (00:05)Hey". */
function parentheses(text: string, add: Add) {
  for (const m of text.matchAll(/\)(?=[“"‘]?\p{Lu})/gu)) {
    const close = m.index;
    const open = text.lastIndexOf("(", close);
    if (open === -1 || close - open > 200 || text.slice(open, close).includes("\n")) continue;
    // "(s)He", "f(x)Then", "(a)The": a parenthesis inside a word, or around a letter.
    if (close - open <= 3 || (open > 0 && /[\p{L}\p{N}]/u.test(text[open - 1]!))) continue;
    const at = close + 1;
    const right = readRight(text, /^[“"‘]/u.test(text[at]!) ? at + 1 : at);
    if (right.kind !== "word" && right.kind !== "pronoun" && right.kind !== "speaker") continue;
    const label = /^\((?:\d{1,2}:)?\d{1,2}:\d{2}$/u.test(text.slice(open, close));
    add(at, label ? LINE : PARAGRAPH);
  }
}

/**
 * A word run into the next sentence's first word: "efficiencyOlmo", "MomentumThe",
 * "Opus 4.5The", "LLMsTranscript". Names glue words too ("DeepSeek", "ChatGPT", "xAI",
 * "iPhone", "LinkedIn", "fastText"), so the word on the right must start sentences, unless the
 * left is a lowercase word of five letters or more, which names rarely start with.
 */
function junctions(text: string, add: Add, found: readonly number[]) {
  for (const m of text.matchAll(/(?<=[\p{Ll}\p{N}”])\p{Lu}/gu)) {
    const at = m.index;
    const right = readRight(text, at);
    const opener =
      right.kind === "pronoun" ||
      right.kind === "heading" ||
      right.kind === "speaker" ||
      (right.kind === "word" && SENTENCE_OPENERS.has(right.word));
    // The word the junction sits in, between spaces or breaks already found.
    const near = text.slice(Math.max(0, at - 100), at + 100);
    const offset = Math.max(0, at - 100);
    const tokenStart = Math.max(
      offset + near.slice(0, at - offset).search(/\S*$/u),
      found.findLast((b) => b <= at) ?? 0,
    );
    const tokenEnd = Math.min(
      at + near.slice(at - offset).search(/\s|$/u),
      found.find((b) => b > at) ?? text.length,
    );
    if (CODE_CHARACTERS.test(text.slice(tokenStart, tokenEnd))) continue;
    // A whole word on the right: "Olmo" in "efficiencyOlmo Hybrid", not "Mini" in "visionMiniMax".
    const rightWord = /^\p{Lu}\p{L}*/u.exec(near.slice(at - offset))![0];
    const whole = right.kind === "word" && /^\p{Lu}\p{Ll}+$/u.test(rightWord);
    const left = wordBefore(text, at);
    let glued = opener;
    if (!glued && whole && /^\p{Ll}{5,}$/u.test(left)) {
      // "SWE-benchVerified" is a name written without its space; "chemRxiv" is a name.
      const upperBefore = /\p{Lu}/u.test(text.slice(tokenStart, at - left.length));
      glued = !upperBefore && !/^R?xiv$/u.test(rightWord);
    }
    if (!glued) continue;
    if (/^\p{L}$/u.test(left) && right.kind !== "speaker") continue; // "xAI", "iPhone", "eBay"
    // A glued pair the text uses twice is a name or an identifier, not an accident.
    const pair = left + rightWord;
    if (text.indexOf(pair) !== text.lastIndexOf(pair)) continue;
    add(at, PARAGRAPH);
  }
}

/** Every glued break in the text, in order. */
export function findGluedBreaks(text: string): GluedBreak[] {
  const protectedSpans = [...text.matchAll(PROTECTED)].map((m) => [m.index, m.index + m[0].length]);
  const found = new Map<number, GluedBreak["separator"]>();
  const add = (index: number, separator: GluedBreak["separator"]) => {
    if (index <= 0 || index >= text.length || /\s/u.test(text[index - 1]!)) return;
    if (protectedSpans.some(([start, end]) => start! < index && index < end!)) return;
    if (!found.has(index)) found.set(index, separator);
  };
  sentenceEnds(text, add);
  bullets(text, add);
  timestamps(text, add);
  parentheses(text, add);
  junctions(
    text,
    add,
    [...found.keys()].sort((a, b) => a - b),
  );
  return [...found].sort(([a], [b]) => a - b).map(([index, separator]) => ({ index, separator }));
}

/** The text with its glued breaks restored; nothing but whitespace is added. */
export function restoreParagraphs(text: string): string {
  let out = "";
  let cursor = 0;
  for (const { index, separator } of findGluedBreaks(text)) {
    out += text.slice(cursor, index) + separator;
    cursor = index;
  }
  return out + text.slice(cursor);
}
