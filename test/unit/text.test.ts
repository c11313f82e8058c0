import { describe, expect, it } from "vitest";
import { formatDate, parseDateBound, parsePartialDate } from "../../src/text/dates.js";
import { markdownLink, safeUrl } from "../../src/text/links.js";
import { defuseMentions, escapeMarkdown } from "../../src/text/markdown.js";
import { snippet } from "../../src/search/snippet.js";
import { compactKey } from "../../src/text/tokens.js";
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
