// A message as Discord draws it, from the JSON the bot sent: content, embeds, files, buttons and
// menus, reactions, and the "Only you can see this" line of ephemeral replies.
import { renderInline, renderMarkdown, safeHref, type Names } from "./markdown.js";
import type { APIMessage, MessageView } from "./protocol.js";

const LOADING = 1 << 7;
const SUPPRESS_EMBEDS = 1 << 2;
const REACTION_CHOICES = ["🔖", "⭐", "👍", "❤️", "🎉"];
const BUTTON_STYLES: Record<number, string> = {
  1: "primary",
  2: "secondary",
  3: "success",
  4: "danger",
  5: "link",
};

export interface RenderHooks {
  readonly names: Names;
  readonly botId: string;
  attachmentUrl(messageId: string, filename: string): string;
  click(message: APIMessage, customId: string): void;
  select(message: APIMessage, customId: string, values: string[]): void;
  react(message: APIMessage, emoji: string, add: boolean): void;
  dismiss(message: APIMessage): void;
}

type Child = Node | string | null | undefined | false;

/** A DOM element; text children become text nodes, so nothing here is parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Markup from the markdown renderer, which escapes every piece of text it is given. */
function markdown(tag: "div" | "span", className: string, html: string): HTMLElement {
  const node = el(tag, { class: className });
  node.innerHTML = html;
  return node;
}

function colour(value: number): string {
  return `#${value.toString(16).padStart(6, "0")}`;
}

function avatarColour(id: string): string {
  const hues = [235, 200, 150, 30, 340, 270];
  return `hsl(${hues[Number(BigInt(id) % BigInt(hues.length))]} 45% 42%)`;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return today ? `Today at ${time}` : `${date.toLocaleDateString()} ${time}`;
}

interface LooseComponent {
  type: number;
  custom_id?: string;
  style?: number;
  label?: string;
  url?: string;
  disabled?: boolean;
  emoji?: { name?: string | null; id?: string | null };
  placeholder?: string;
  min_values?: number;
  max_values?: number;
  options?: { label: string; value: string; description?: string; default?: boolean }[];
  content?: string;
  components?: LooseComponent[];
  accessory?: LooseComponent;
  accent_color?: number | null;
}

function renderButton(message: APIMessage, c: LooseComponent, hooks: RenderHooks): HTMLElement {
  const style = BUTTON_STYLES[c.style ?? 2] ?? "secondary";
  const text = `${c.emoji?.name ? `${c.emoji.name} ` : ""}${c.label ?? ""}`.trim();
  if (c.style === 5) {
    const href = c.url ? safeHref(c.url) : undefined;
    return href && !c.disabled
      ? el(
          "a",
          { class: `button ${style}`, href, target: "_blank", rel: "noopener noreferrer" },
          text,
          el("span", { "aria-hidden": "true" }, " ↗"),
          el("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        )
      : el("span", { class: `button ${style} disabled` }, text);
  }
  const button = el(
    "button",
    {
      type: "button",
      class: `button ${style}`,
      disabled: c.disabled === true,
      "data-key": `${message.id}:${c.custom_id}`,
    },
    text || "(no label)",
  );
  button.addEventListener("click", () => hooks.click(message, c.custom_id!));
  return button;
}

let selectCount = 0;

function renderSelect(message: APIMessage, c: LooseComponent, hooks: RenderHooks): HTMLElement {
  const id = `select-${++selectCount}`;
  const multiple = (c.max_values ?? 1) > 1;
  const label = c.placeholder ?? "Choose an option";
  const select = el("select", {
    id,
    class: "select",
    disabled: c.disabled === true,
    multiple,
    "data-key": `${message.id}:${c.custom_id}`,
  });
  if (!multiple) select.append(el("option", { value: "", disabled: true, selected: true }, label));
  for (const option of c.options ?? []) {
    const text = option.description ? `${option.label} — ${option.description}` : option.label;
    select.append(el("option", { value: option.value, selected: option.default === true }, text));
  }
  const wrapper = el(
    "div",
    { class: "select-wrapper" },
    el("label", { for: id, class: "visually-hidden" }, label),
    select,
  );
  const submit = () =>
    hooks.select(
      message,
      c.custom_id!,
      [...select.selectedOptions].map((o) => o.value).filter(Boolean),
    );
  if (multiple) {
    const apply = el("button", { type: "button", class: "button secondary" }, "Apply");
    apply.addEventListener("click", submit);
    wrapper.append(apply);
  } else {
    select.addEventListener("change", submit);
  }
  return wrapper;
}

function renderComponent(
  message: APIMessage,
  c: LooseComponent,
  hooks: RenderHooks,
): HTMLElement | undefined {
  switch (c.type) {
    case 1:
      return el(
        "div",
        { class: "action-row" },
        ...(c.components ?? []).map((child) => renderComponent(message, child, hooks)),
      );
    case 2:
      return renderButton(message, c, hooks);
    case 3:
      return renderSelect(message, c, hooks);
    case 9:
      return el(
        "div",
        { class: "section" },
        ...(c.components ?? []).map((child) => renderComponent(message, child, hooks)),
        c.accessory && renderComponent(message, c.accessory, hooks),
      );
    case 10:
      return markdown("div", "text-display", renderMarkdown(c.content ?? "", hooks.names));
    case 14:
      return el("hr");
    case 17: {
      const box = el(
        "div",
        { class: "container" },
        ...(c.components ?? []).map((child) => renderComponent(message, child, hooks)),
      );
      if (c.accent_color != null) box.style.setProperty("--accent", colour(c.accent_color));
      return box;
    }
    default:
      return el("p", { class: "unsupported" }, `(a component of type ${c.type})`);
  }
}

function renderEmbed(embed: APIMessage["embeds"][number], names: Names): HTMLElement {
  const box = el("section", { class: "embed" });
  if (embed.color !== undefined) box.style.setProperty("--accent", colour(embed.color));
  if (embed.author?.name) {
    const href = embed.author.url ? safeHref(embed.author.url) : undefined;
    box.append(
      el(
        "div",
        { class: "embed-author" },
        href
          ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, embed.author.name)
          : embed.author.name,
      ),
    );
  }
  if (embed.title) {
    const href = embed.url ? safeHref(embed.url) : undefined;
    const title = el("h3", { class: "embed-title" });
    const inner = markdown("span", "", renderInline(embed.title, names, !href));
    if (href) title.append(el("a", { href, target: "_blank", rel: "noopener noreferrer" }, inner));
    else title.append(inner);
    box.append(title);
  }
  if (embed.description)
    box.append(markdown("div", "embed-description", renderMarkdown(embed.description, names)));
  if (embed.fields?.length) {
    const fields = el("dl", { class: "embed-fields" });
    for (const field of embed.fields) {
      const name = el("dt");
      name.innerHTML = renderInline(field.name, names);
      const value = el("dd");
      value.innerHTML = renderMarkdown(field.value, names);
      fields.append(el("div", { class: field.inline ? "field inline" : "field" }, name, value));
    }
    box.append(fields);
  }
  const footer = [embed.footer?.text, embed.timestamp && formatTime(embed.timestamp)].filter(
    Boolean,
  );
  if (footer.length) box.append(el("footer", { class: "embed-footer" }, footer.join(" • ")));
  return box;
}

function renderReactions(view: MessageView, hooks: RenderHooks): HTMLElement {
  const message = view.message;
  const row = el("div", { class: "reactions" });
  for (const reaction of view.reactions) {
    const label = `${reaction.emoji}: ${reaction.count} reaction${reaction.count === 1 ? "" : "s"}${reaction.mine ? ", including yours. Press to remove yours" : ". Press to add yours"}`;
    const button = el(
      "button",
      {
        type: "button",
        class: "reaction",
        "aria-pressed": String(reaction.mine),
        "aria-label": label,
        "data-key": `${message.id}:reaction:${reaction.emoji}`,
      },
      el("span", { "aria-hidden": "true" }, reaction.emoji),
      el("span", { class: "count", "aria-hidden": "true" }, String(reaction.count)),
    );
    button.addEventListener("click", () => hooks.react(message, reaction.emoji, !reaction.mine));
    row.append(button);
  }
  const picker = el(
    "details",
    { class: "add-reaction" },
    el(
      "summary",
      { "aria-label": "Add a reaction", "data-key": `${message.id}:add-reaction` },
      el("span", { "aria-hidden": "true" }, "+🙂"),
    ),
  );
  const choices = el("div", { class: "reaction-choices" });
  for (const emoji of REACTION_CHOICES) {
    const mine = view.reactions.some((r) => r.emoji === emoji && r.mine);
    const button = el(
      "button",
      { type: "button", "aria-label": `React with ${emoji}`, disabled: mine },
      emoji,
    );
    button.addEventListener("click", () => {
      picker.open = false;
      hooks.react(message, emoji, true);
    });
    choices.append(button);
  }
  picker.append(choices);
  row.append(picker);
  return row;
}

/** One message, with a stable id so updates replace it in place. */
export function renderMessage(view: MessageView, hooks: RenderHooks): HTMLElement {
  const message = view.message;
  const flags = message.flags ?? 0;
  const author = message.author;
  const isBot = author.id === hooks.botId;
  const article = el("article", {
    class: `message${view.ephemeral ? " ephemeral" : ""}`,
    id: `message-${message.id}`,
    tabindex: "-1",
    "aria-label": `${author.username}${isBot ? " (app)" : ""}, ${formatTime(message.timestamp)}`,
  });
  const who = message.interaction_metadata?.user;
  if (who)
    article.append(
      el(
        "p",
        { class: "trigger" },
        el("span", { "aria-hidden": "true" }, "↱ "),
        el("strong", {}, who.username),
        ` ${view.trigger ?? "used a command"}`,
      ),
    );
  const avatar = el("div", { class: "avatar", "aria-hidden": "true" }, author.username[0] ?? "?");
  avatar.style.setProperty("background", avatarColour(author.id));
  const body = el(
    "div",
    { class: "message-body" },
    el(
      "header",
      {},
      el("span", { class: "author" }, author.username),
      isBot && el("span", { class: "tag" }, "APP"),
      el("time", { datetime: message.timestamp }, formatTime(message.timestamp)),
      message.edited_timestamp && el("span", { class: "edited" }, "(edited)"),
    ),
  );
  if (flags & LOADING)
    body.append(
      el(
        "p",
        { class: "loading" },
        el("span", { class: "spinner", "aria-hidden": "true" }),
        `${author.username} is thinking…`,
      ),
    );
  if (message.content)
    body.append(markdown("div", "content", renderMarkdown(message.content, hooks.names)));
  if (!(flags & SUPPRESS_EMBEDS))
    for (const embed of message.embeds) body.append(renderEmbed(embed, hooks.names));
  if (message.attachments.length) {
    const files = el("ul", { class: "attachments" });
    for (const file of message.attachments) {
      files.append(
        el(
          "li",
          {},
          el(
            "a",
            {
              href: hooks.attachmentUrl(message.id, file.filename),
              download: file.filename,
              "data-key": `${message.id}:file:${file.filename}`,
            },
            el("span", { "aria-hidden": "true" }, "📎 "),
            file.filename,
          ),
          ` (${file.size.toLocaleString()} bytes)`,
        ),
      );
    }
    body.append(files);
  }
  const components = (message.components ?? []) as unknown as LooseComponent[];
  if (components.length)
    body.append(
      el(
        "div",
        { class: "components" },
        ...components.map((c) => renderComponent(message, c, hooks)),
      ),
    );
  if (!view.ephemeral && !(flags & LOADING)) body.append(renderReactions(view, hooks));
  if (view.ephemeral) {
    const dismiss = el(
      "button",
      { type: "button", class: "link-button", "data-key": `${message.id}:dismiss` },
      "Dismiss message",
    );
    dismiss.addEventListener("click", () => hooks.dismiss(message));
    body.append(
      el(
        "p",
        { class: "ephemeral-note" },
        el("span", { "aria-hidden": "true" }, "👁 "),
        "Only you can see this · ",
        dismiss,
      ),
    );
  }
  article.append(avatar, body);
  return article;
}
