import { describe, expect, it } from "vitest";
import {
  renderInline,
  renderMarkdown,
  safeHref,
  type Names,
} from "../../src/playground/client/markdown.js";

const names: Names = {
  user: (id) => (id === "111111111111111111" ? "ada" : "<b>mallory</b>"),
  channel: (id) => (id === "222222222222222222" ? "general" : "unknown-channel"),
  role: () => "Moderators",
  time: (seconds, style) => `${style}:${seconds}`,
};
const md = (text: string) => renderMarkdown(text, names);
const LINK = 'target="_blank" rel="noopener noreferrer"';

describe("the playground's markdown", () => {
  it("GIVEN HTML in text THEN it is shown as text, never as markup", () => {
    expect(md('<img src=x onerror="alert(1)"> & <script>alert(1)</script>')).toBe(
      "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
  });

  it("GIVEN a masked link THEN only http(s) becomes a link, with its address normalised and escaped", () => {
    // Raw parentheses end a masked link's address (the bot encodes them): only the address links.
    expect(md("[the post](https://example.com/a_(b)?q=1)")).toBe(
      `<p>[the post](<a href="https://example.com/a_(b)?q=1" ${LINK}>https://example.com/a_(b)?q=1</a>)</p>`,
    );
    expect(md("[the post](https://example.com/a_%28b%29?q=1)")).toBe(
      `<p><a href="https://example.com/a_%28b%29?q=1" ${LINK}>the post</a></p>`,
    );
    expect(md('[x](https://a.example/"onmouseover="x)')).toBe(
      `<p><a href="https://a.example/%22onmouseover=%22x" ${LINK}>x</a></p>`,
    );
    expect(md("[click](javascript:alert(1))")).toBe("<p>[click](javascript:alert(1))</p>");
    expect(md("[data](data:text/html,hi)")).toBe("<p>[data](data:text/html,hi)</p>");
    expect(safeHref("javascript:alert(1)")).toBeUndefined();
    expect(safeHref("https://example.com")).toBe("https://example.com/");
  });

  it("GIVEN markup inside a link's text THEN it is rendered, without a link inside the link", () => {
    expect(md("[**Bold** https://x.example \\[1\\]](https://y.example)")).toBe(
      `<p><a href="https://y.example/" ${LINK}><strong>Bold</strong> https://x.example [1]</a></p>`,
    );
  });

  it("GIVEN bare and bracketed addresses THEN they become links without trailing punctuation", () => {
    expect(md("See https://example.com/x. Or <https://example.com/y>")).toBe(
      `<p>See <a href="https://example.com/x" ${LINK}>https://example.com/x</a>. Or <a href="https://example.com/y" ${LINK}>https://example.com/y</a></p>`,
    );
  });

  it("GIVEN bold, italics, underline, strike-through and code THEN each renders, code verbatim", () => {
    expect(md("**bold** *it* _also it_ __under__ ~~gone~~ `<b>*x*</b>`")).toBe(
      "<p><strong>bold</strong> <em>it</em> <em>also it</em> <u>under</u> <s>gone</s> <code>&lt;b&gt;*x*&lt;/b&gt;</code></p>",
    );
  });

  it("GIVEN Discord's backslash escapes and snake_case THEN they read as plain text", () => {
    expect(md("\\*not italic\\* \\_nor this\\_ snake_case_name 2\\. \\# x")).toBe(
      "<p>*not italic* _nor this_ snake_case_name 2. # x</p>",
    );
  });

  it("GIVEN mentions and timestamps THEN they read as names, escaped, and as times", () => {
    expect(
      md(
        "<@111111111111111111> <@!333333333333333333> <#222222222222222222> <@&444444444444444444> <t:1770000000:F>",
      ),
    ).toBe(
      '<p><span class="mention">@ada</span> <span class="mention">@&lt;b&gt;mallory&lt;/b&gt;</span> <span class="mention">#general</span> <span class="mention">@Moderators</span> <time datetime="2026-02-02T02:40:00.000Z">F:1770000000</time></p>',
    );
  });

  it("GIVEN lines THEN paragraphs, lists, quotes, headings and small print are kept apart", () => {
    expect(md("# Title\nfirst\nsecond\n\n- one\n- **two**\n> quoted\n-# small")).toBe(
      '<p class="md-h1">Title</p><p>first<br>second</p><ul><li>one</li><li><strong>two</strong></li></ul><blockquote>quoted</blockquote><p class="md-subtext">small</p>',
    );
  });

  it("GIVEN a code block THEN its text is kept verbatim and escaped; an unclosed fence is text", () => {
    expect(md("before\n```js\n<b>**x**</b>\n```\nafter")).toBe(
      "<p>before</p><pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre><p>after</p>",
    );
    expect(md("```unclosed **x**")).toBe("<p>```unclosed <strong>x</strong></p>");
  });

  it("GIVEN a title THEN it renders inline, and without links when it is a link itself", () => {
    expect(renderInline("Claude **Opus** 4.5 https://a.example", names, false)).toBe(
      "Claude <strong>Opus</strong> 4.5 https://a.example",
    );
  });
});
