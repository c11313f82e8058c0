import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { boundedDistance, letterSet, mayBeWithin } from "../../src/text/distance.js";
import { formatDate, parseDateBound, parsePartialDate } from "../../src/text/dates.js";
import { markdownLink, safeUrl } from "../../src/text/links.js";
import { defuseMentions, escapeMarkdown } from "../../src/text/markdown.js";
import { matchingSpans, snippet } from "../../src/search/snippet.js";
import { compactKey, lightStem, tokenSpans } from "../../src/text/tokens.js";
import { truncate } from "../../src/text/truncate.js";

describe("markdown safety", () => {
  it("GIVEN markdown and mentions THEN they are shown literally", () => {
    expect(
      escapeMarkdown("**bold** _it_ `code` [x](y) @everyone <@123> <@&456> <#789> @here"),
    ).toBe(
      "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[x\\](y) @\u200beveryone <\u200b@123> <\u200b@&456> <\u200b#789> @\u200bhere",
    );
  });

  it("GIVEN a heading or list marker at a line start THEN it is escaped, mid-line hyphens are not", () => {
    expect(escapeMarkdown("# Title\n- item\nGPT-5.4")).toBe("\\# Title\n\\- item\nGPT-5.4");
    expect(defuseMentions("mail me@everyone.com")).toBe("mail me@\u200beveryone.com");
  });

  it("GIVEN a long passage THEN the snippet is centred on the densest matches and bounded", () => {
    const text = `${"filler words here ".repeat(40)}the cascade model is a cascade of experts ${"more filler ".repeat(40)}`;
    const s = snippet(text, ["cascade"], 120);
    expect(s.startsWith("…")).toBe(true);
    expect(s.endsWith("…")).toBe(true);
    expect(s).toContain("**cascade** model is a **cascade**");
    expect(s.replace(/\*\*/g, "").length).toBeLessThanOrEqual(124);
  });
});

describe("links", () => {
  it("GIVEN a URL that would close a masked link and open another THEN it stays one link to the same address", () => {
    const crafted = "https://evil.example/x)[Official weights download](https://evil.example/phish";
    expect(markdownLink("evil.example", crafted)).toBe(
      "[evil.example](https://evil.example/x%29%5BOfficial%20weights%20download%5D%28https://evil.example/phish)",
    );
    expect(safeUrl("https://a.example/<b>\\c\td")).toBe("https://a.example/%3Cb%3E%5Cc%09d");
  });

  it("GIVEN something that is not a web address THEN the label is shown without a link", () => {
    expect(markdownLink("Read", "javascript:alert(1)")).toBe("Read");
    expect(markdownLink("Read", undefined)).toBe("Read");
    expect(markdownLink("Read", `https://a.example/${"x".repeat(600)}`)).toBe("Read");
  });
});

describe("truncate", () => {
  it("cuts at a word boundary and adds an ellipsis", () => {
    expect(truncate("one two three four", 12)).toBe("one two…");
    expect(truncate("short", 10)).toBe("short");
  });

  it("never leaves a dangling escape or half an emoji", () => {
    expect(truncate("aaaa\\*bbbb", 6)).toBe("aaaa…");
    expect(truncate("ab😀cd", 4)).toBe("ab…");
  });
});

describe("dates", () => {
  it("reads years, months and days as the first or last day they cover", () => {
    expect(parseDateBound("2025", "from", "from")).toBe("2025-01-01");
    expect(parseDateBound("2025-02", "to", "to")).toBe("2025-02-28");
    expect(parseDateBound("2024-02-29", "to", "to")).toBe("2024-02-29");
    expect(() => parseDateBound("2025-02-30", "from", "from")).toThrowError(
      /`from` must be a date/,
    );
    expect(() => parseDateBound("soon", "to", "to")).toThrowError(/`to` must be a date/);
  });

  it("GIVEN a date typed anywhere THEN one reader takes years, months and days, and refuses days the calendar does not have", () => {
    expect(parsePartialDate("2026")).toEqual({ date: "2026-01-01", precision: "year" });
    expect(parsePartialDate("2026-2")).toEqual({ date: "2026-02-01", precision: "month" });
    expect(parsePartialDate(" 2026-02-05 ")).toEqual({ date: "2026-02-05", precision: "day" });
    expect(parsePartialDate("2024-02-29")).toEqual({ date: "2024-02-29", precision: "day" });
    for (const bad of ["2026-02-29", "2026-02-30", "2026-04-31", "2026-13", "2026-00-10", "soon"])
      expect(parsePartialDate(bad), bad).toBeUndefined();
  });

  it("formats as precisely as known", () => {
    expect(formatDate("2026-02-05")).toBe("5 Feb 2026");
    expect(formatDate("2026-02-01", "month")).toBe("Feb 2026");
    expect(formatDate("2026-01-01", "year")).toBe("2026");
  });
});

describe("compact keys", () => {
  it("ignores case, spaces and punctuation", () => {
    expect(compactKey("GPT-5.4 mini")).toBe(compactKey("gpt5.4mini"));
    expect(compactKey("Nemotron-Cascade 2")).toBe("nemotroncascade2");
  });
});

describe("edit distance", () => {
  it("GIVEN two words within the limit THEN the letter-set check never rules them out", () => {
    // Seeded, so a failure can be replayed: 20,000 pairs, each a word and a few random edits of it.
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = "abcdeilmnorstuvz-é";
    const pick = () => alphabet[Math.floor(random() * alphabet.length)]!;
    let within = 0;
    for (let n = 0; n < 20_000; n++) {
      const word = Array.from({ length: 3 + Math.floor(random() * 9) }, pick).join("");
      let other = word;
      for (let edits = Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * (other.length + 1));
        const roll = random();
        other =
          roll < 0.33
            ? other.slice(0, at) + pick() + other.slice(at)
            : roll < 0.66
              ? other.slice(0, at) + other.slice(at + 1)
              : other.slice(0, at) + pick() + other.slice(at + 1);
      }
      for (const limit of [1, 2]) {
        if (boundedDistance(word, other, limit) > limit) continue;
        within++;
        expect(mayBeWithin(letterSet(word), letterSet(other), limit), `${word} ~ ${other}`).toBe(
          true,
        );
      }
    }
    expect(within).toBeGreaterThan(5_000);
  });

  it("GIVEN words with different letters THEN the check rules them out", () => {
    expect(mayBeWithin(letterSet("nemotron"), letterSet("distills"), 2)).toBe(false);
    expect(mayBeWithin(letterSet("nemtoron"), letterSet("nemotron"), 1)).toBe(true);
    expect(mayBeWithin(letterSet("gemini"), letterSet("gemma"), 1)).toBe(false);
  });
});

/** Words as SQLite's unicode61 tokenizer finds them, the slow general way. */
function unicodeWords(text: string) {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({
    norm: m[0]
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

describe("snippet matches", () => {
  it("GIVEN any shipped document and query words THEN the words marked are exactly the words whose stem was asked for", async () => {
    const folder = path.resolve(import.meta.dirname, "../../data/corpus");
    const texts = await Promise.all(
      (await fs.readdir(folder))
        .filter((file) => file.endsWith(".txt"))
        .map((file) => fs.readFile(path.join(folder, file), "utf8")),
    );
    expect(texts.length).toBeGreaterThan(50);
    texts.push("Déjà vu: the café’s naïve model — “o3” and GPT‑5 (ﬁne-tuned) İstanbul");
    const queries = [
      ["model"],
      ["models", "release"],
      ["o3"],
      ["gpt", "5"],
      ["reasoning", "agents", "open"],
      ["deepseek", "r1"],
      ["the"],
      ["cafe", "naive"],
      ["a"],
      ["deja"],
      ["distillation", "distill"],
    ];
    let marked = 0;
    for (const text of texts) {
      expect(tokenSpans(text)).toEqual(unicodeWords(text));
      for (const terms of queries) {
        const wanted = new Set(terms.map(lightStem));
        const expected = unicodeWords(text).filter((t) => wanted.has(lightStem(t.norm)));
        const spans = matchingSpans(text, wanted);
        expect(spans).toEqual(expected);
        expect(tokenSpans(text).filter((t) => wanted.has(lightStem(t.norm)))).toEqual(expected);
        marked += spans.length;
      }
    }
    expect(marked).toBeGreaterThan(1_000);
  });
});
