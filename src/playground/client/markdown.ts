// Discord's markdown, as much of it as the bot writes, turned into HTML safely: every piece of
// text is escaped, and the only markup is what this file writes itself. Links open only http(s).

/** How mentions and timestamps read: names come from the playground's world. */
export interface Names {
  user(id: string): string;
  channel(id: string): string;
  role(id: string): string;
  /** A `<t:seconds:style>` timestamp, as Discord shows it in the reader's time zone. */
  time(seconds: number, style: string): string;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The URL, normalised, when it is http or https; anything else (javascript:, data:) is refused. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function link(href: string, html: string): string {
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${html}</a>`;
}

interface InlineRule {
  readonly pattern: RegExp;
  readonly render: (m: RegExpExecArray, names: Names, links: boolean) => string | undefined;
  /** Not inside a word: snake_case has no italics. */
  readonly wordStart?: boolean;
}

const wrap =
  (tag: string, className?: string) =>
  (m: RegExpExecArray, names: Names, links: boolean): string => {
    const open = className ? `<${tag} class="${className}">` : `<${tag}>`;
    return `${open}${inline(m[1]!, names, links)}</${tag}>`;
  };

/** Tried in order at each position where markup may start; sticky, so they match only there. */
const RULES: readonly InlineRule[] = [
  // A backslash makes the next punctuation mark plain text.
  { pattern: /\\([^a-zA-Z0-9\s])/y, render: (m) => escapeHtml(m[1]!) },
  {
    pattern: /(`+)([\s\S]*?[^`])\1(?!`)/y,
    render: (m) => `<code>${escapeHtml(m[2]!)}</code>`,
  },
  {
    pattern: /\[((?:\\.|[^[\]\\\n])+)\]\(\s*<?(https?:\/\/[^\s<>()]+)>?\s*\)/y,
    render: (m, names, links) => {
      const href = safeHref(m[2]!);
      if (!href || !links) return undefined;
      return link(href, inline(m[1]!, names, false));
    },
  },
  {
    pattern: /<(https?:\/\/[^\s<>]+)>/y,
    render: (m, _names, links) => {
      const href = safeHref(m[1]!);
      return href && links ? link(href, escapeHtml(m[1]!)) : undefined;
    },
  },
  {
    pattern: /https?:\/\/[^\s<>]*[^\s<>.,:;"')\]!?*_~|]/y,
    render: (m, _names, links) => {
      const href = safeHref(m[0]);
      return href && links ? link(href, escapeHtml(m[0])) : undefined;
    },
  },
  {
    pattern: /<@!?(\d{15,21})>/y,
    render: (m, names) => `<span class="mention">@${escapeHtml(names.user(m[1]!))}</span>`,
  },
  {
    pattern: /<@&(\d{15,21})>/y,
    render: (m, names) => `<span class="mention">@${escapeHtml(names.role(m[1]!))}</span>`,
  },
  {
    pattern: /<#(\d{15,21})>/y,
    render: (m, names) => `<span class="mention">#${escapeHtml(names.channel(m[1]!))}</span>`,
  },
  {
    pattern: /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/y,
    render: (m, names) => {
      const seconds = Number(m[1]);
      const iso = new Date(seconds * 1000).toISOString();
      return `<time datetime="${iso}">${escapeHtml(names.time(seconds, m[2] ?? "f"))}</time>`;
    },
  },
  { pattern: /<a?:(\w{2,32}):\d{15,21}>/y, render: (m) => `:${escapeHtml(m[1]!)}:` },
  { pattern: /\*\*(?!\s)([\s\S]+?)\*\*(?!\*)/y, render: wrap("strong") },
  { pattern: /__(?!\s)([\s\S]+?)__(?!_)/y, render: wrap("u") },
  { pattern: /~~(?!\s)([\s\S]+?)~~/y, render: wrap("s") },
  { pattern: /\|\|([\s\S]+?)\|\|/y, render: wrap("span", "spoiler") },
  { pattern: /\*(?![\s*])((?:\\.|[^*\\])+?)\*(?!\*)/y, render: wrap("em") },
  { pattern: /_(?![\s_])((?:\\.|[^_\\])+?)_(?!\w)/y, render: wrap("em"), wordStart: true },
];

/** Where markup may start; everything in between is plain text. */
const SPECIAL = /[\\`[<h*_~|]/g;

function inline(text: string, names: Names, links: boolean): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    SPECIAL.lastIndex = i;
    const next = SPECIAL.exec(text);
    const at = next ? next.index : text.length;
    out += escapeHtml(text.slice(i, at));
    if (at >= text.length) break;
    i = at;
    let matched = false;
    for (const rule of RULES) {
      if (rule.wordStart && i > 0 && /\w/.test(text[i - 1]!)) continue;
      rule.pattern.lastIndex = i;
      const m = rule.pattern.exec(text);
      if (!m) continue;
      const html = rule.render(m, names, links);
      if (html === undefined) continue;
      out += html;
      i += m[0].length;
      matched = true;
      break;
    }
    if (!matched) {
      out += escapeHtml(text[i]!);
      i++;
    }
  }
  return out;
}

/** One line or a short run of lines, without block markup: titles, field names, labels. */
export function renderInline(text: string, names: Names, links = true): string {
  return inline(text, names, links).replace(/\n/g, "<br>");
}

/** Lines grouped into paragraphs, quotes, lists, headings and small print. */
function blocks(text: string, names: Names): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  let quote: string[] = [];
  const flush = (): void => {
    if (paragraph.length) out.push(`<p>${paragraph.join("<br>")}</p>`);
    if (list.length) out.push(`<ul>${list.map((item) => `<li>${item}</li>`).join("")}</ul>`);
    if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
    paragraph = [];
    list = [];
    quote = [];
  };
  for (const line of text.split("\n")) {
    const heading = /^(#{1,3}) (.+)$/.exec(line);
    const subtext = /^-# (.+)$/.exec(line);
    const item = /^\s*[-*] (.+)$/.exec(line);
    const quoted = /^>>?>? ?(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`<p class="md-h${heading[1]!.length}">${inline(heading[2]!, names, true)}</p>`);
    } else if (subtext) {
      flush();
      out.push(`<p class="md-subtext">${inline(subtext[1]!, names, true)}</p>`);
    } else if (item) {
      if (paragraph.length || quote.length) flush();
      list.push(inline(item[1]!, names, true));
    } else if (quoted && line.startsWith(">")) {
      if (paragraph.length || list.length) flush();
      quote.push(inline(quoted[1]!, names, true));
    } else if (line.trim() === "") {
      flush();
    } else {
      if (list.length || quote.length) flush();
      paragraph.push(inline(line, names, true));
    }
  }
  flush();
  return out.join("");
}

/** A message's or an embed's text: code blocks kept verbatim, the rest as markdown. */
export function renderMarkdown(text: string, names: Names): string {
  const parts = text.split("```");
  // An unclosed fence is plain text, as in Discord.
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`\`\`${parts.at(-1)}`);
  return parts
    .map((part, index) => {
      if (index % 2 === 0) return blocks(part, names);
      const code = part.replace(/^[\w+-]*\n/, "");
      return `<pre><code>${escapeHtml(code.replace(/\n$/, ""))}</code></pre>`;
    })
    .join("");
}
