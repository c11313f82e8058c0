// The playground page: servers and channels on the left, the channel in the middle, updated live
// from the server's events. Everything shown is what the emulator stored from the real bot.
import { ApiError, api } from "./api.js";
import { leaves, type Leaf, type LineContext } from "./command-line.js";
import { Composer } from "./composer.js";
import type { Names } from "./markdown.js";
import { openModal } from "./modal.js";
import type {
  APIMessage,
  MessageView,
  Outcome,
  PersonView,
  ServerView,
  WorldView,
} from "./protocol.js";
import { el, renderMessage, type RenderHooks } from "./render.js";

const $ = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
};

const ui = {
  servers: $<HTMLUListElement>("server-list"),
  serverName: $("server-name"),
  channels: $<HTMLUListElement>("channel-list"),
  people: $("people"),
  channelName: $("channel-name"),
  channelTopic: $("channel-topic"),
  messages: $("messages"),
  status: $("status"),
  menu: $<HTMLButtonElement>("menu-toggle"),
  modal: $<HTMLDialogElement>("modal"),
  recapForm: $<HTMLFormElement>("recap-form"),
  recapWeek: $<HTMLInputElement>("recap-week"),
  recapHelp: $("recap-help"),
  reset: $<HTMLButtonElement>("reset"),
  resetDialog: $<HTMLDialogElement>("reset-dialog"),
  resetConfirm: $<HTMLButtonElement>("reset-confirm"),
  resetCancel: $<HTMLButtonElement>("reset-cancel"),
  input: $<HTMLInputElement>("composer-input"),
};

const state = {
  world: undefined as WorldView | undefined,
  serverId: localStorage.getItem("playground.server") ?? "",
  channelId: localStorage.getItem("playground.channel") ?? "",
  as: localStorage.getItem("playground.as") ?? "",
  leaves: [] as Leaf[],
  rendered: new Map<string, string>(),
  unread: new Set<string>(),
};

const server = (): ServerView | undefined =>
  state.world?.servers.find((s) => s.id === state.serverId);
const me = (): PersonView | undefined => state.world?.people.find((p) => p.id === state.as);

const names: Names = {
  user: (id) =>
    id === state.world?.botId
      ? (state.world?.botName ?? "modeldex")
      : (state.world?.people.find((p) => p.id === id)?.name ?? "unknown-user"),
  channel: (id) =>
    state.world?.servers.flatMap((s) => s.channels).find((c) => c.id === id)?.name ??
    "unknown-channel",
  role: (id) =>
    state.world?.servers.flatMap((s) => s.roles).find((r) => r.id === id)?.name ?? "unknown-role",
  time: (seconds, style) => {
    const date = new Date(seconds * 1000);
    switch (style) {
      case "t":
        return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      case "T":
        return date.toLocaleTimeString();
      case "d":
        return date.toLocaleDateString();
      case "D":
        return date.toLocaleDateString([], { dateStyle: "long" });
      case "F":
        return date.toLocaleString([], { dateStyle: "full", timeStyle: "short" });
      case "R": {
        const days = Math.round((date.getTime() - Date.now()) / 86_400_000);
        return new Intl.RelativeTimeFormat([], { numeric: "auto" }).format(days, "day");
      }
      default:
        return date.toLocaleString([], { dateStyle: "long", timeStyle: "short" });
    }
  },
};

/** A short message in the status line (polite), or an error (assertive). */
function say(text: string, kind: "note" | "error" = "note"): void {
  ui.status.className = `status ${kind}`;
  ui.status.setAttribute("role", kind === "error" ? "alert" : "status");
  ui.status.textContent = text;
}

function problemOf(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong.";
}

/** What became of an action: a form opens, a note or a problem shows. */
function follow(outcome: Outcome, returnTo: HTMLElement | null): string | undefined {
  if (outcome.kind === "error") return outcome.message;
  if (outcome.kind === "modal") {
    openModal(
      ui.modal,
      outcome.modal,
      names,
      async (values) => {
        try {
          const result = await api.submit({
            as: state.as,
            channel: state.channelId,
            interaction: outcome.interaction,
            values,
          });
          return result.kind === "error" ? result.message : follow(result, returnTo);
        } catch (error) {
          return problemOf(error);
        }
      },
      returnTo,
      ui.input,
    );
  } else if (outcome.note) say(outcome.note);
  return undefined;
}

async function act(action: () => Promise<Outcome>, returnTo: HTMLElement | null): Promise<void> {
  try {
    const problem = follow(await action(), returnTo);
    if (problem) say(problem, "error");
  } catch (error) {
    say(problemOf(error), "error");
  }
}

const hooks: RenderHooks = {
  names,
  get botId() {
    return state.world?.botId ?? "";
  },
  attachmentUrl: (message, file) => api.attachmentUrl(state.as, state.channelId, message, file),
  click: (message: APIMessage, customId: string) =>
    void act(
      () => api.click({ as: state.as, channel: state.channelId, message: message.id, customId }),
      document.activeElement as HTMLElement | null,
    ),
  select: (message, customId, values) =>
    void act(
      () =>
        api.click({
          as: state.as,
          channel: state.channelId,
          message: message.id,
          customId,
          values,
        }),
      document.activeElement as HTMLElement | null,
    ),
  react: (message, emoji, add) =>
    void act(
      () => api.react({ as: state.as, channel: state.channelId, message: message.id, emoji, add }),
      null,
    ),
  dismiss: (message) =>
    void act(
      () => api.dismiss({ as: state.as, channel: state.channelId, message: message.id }),
      null,
    ),
};

const composer = new Composer(
  $<HTMLFormElement>("composer"),
  ui.input,
  $("composer-popup"),
  $("composer-hint"),
  $("composer-problem"),
  {
    context: () => ({ leaves: state.leaves, line: lineContext() }),
    autocomplete: (command, options, focused) =>
      api.autocomplete({ as: state.as, channel: state.channelId, command, options, focused }),
    run: async (command, options) => {
      try {
        const outcome = await api.command({
          as: state.as,
          channel: state.channelId,
          command,
          options,
        });
        return follow(outcome, ui.input);
      } catch (error) {
        return problemOf(error);
      }
    },
    say: async (content) => {
      try {
        await api.say({ as: state.as, channel: state.channelId, content });
        return undefined;
      } catch (error) {
        return problemOf(error);
      }
    },
  },
);

function lineContext(): LineContext {
  return {
    channels: server()?.channels ?? [],
    roles: server()?.roles ?? [],
    people: state.world?.people ?? [],
  };
}

// ---------------------------------------------------------------- sidebar

function renderSidebar(): void {
  const world = state.world;
  if (!world) return;
  const current = server()!;
  ui.servers.replaceChildren(
    ...world.servers.map((s) => {
      const button = el(
        "button",
        {
          type: "button",
          class: "server",
          "aria-label": s.name,
          title: s.name,
          "aria-current": s.id === state.serverId ? "true" : undefined,
        },
        s.name
          .split(/\s+/)
          .map((w) => w[0])
          .join(""),
      );
      button.addEventListener("click", () => {
        const channel = s.channels[0];
        if (channel) void choose(s.id, channel.id);
      });
      return el("li", {}, button);
    }),
  );
  ui.serverName.textContent = current.name;
  ui.channels.replaceChildren(
    ...current.channels.map((c) => {
      const unread = state.unread.has(c.id);
      const button = el(
        "button",
        {
          type: "button",
          class: `channel${unread ? " unread" : ""}`,
          "aria-current": c.id === state.channelId ? "page" : undefined,
        },
        el("span", { "aria-hidden": "true" }, "# "),
        c.name,
        unread && el("span", { class: "visually-hidden" }, " (new messages)"),
      );
      button.addEventListener("click", () => void choose(current.id, c.id));
      return el("li", {}, button);
    }),
  );
  ui.people.replaceChildren(
    ...world.people.map((person) => {
      const id = `person-${person.id}`;
      const radio = el("input", {
        type: "radio",
        name: "person",
        id,
        value: person.id,
        checked: person.id === state.as,
      });
      radio.addEventListener("change", () => {
        state.as = person.id;
        localStorage.setItem("playground.as", person.id);
        void enter();
      });
      return el(
        "div",
        { class: "person" },
        radio,
        el(
          "label",
          { for: id },
          el("span", { class: "person-name" }, person.name),
          el(
            "span",
            { class: "person-role" },
            person.role === "moderator" ? "moderator (Manage Server)" : "member",
          ),
        ),
      );
    }),
  );
  const channel = current.channels.find((c) => c.id === state.channelId);
  ui.channelName.textContent = channel ? `# ${channel.name}` : "";
  ui.channelTopic.textContent = channel?.topic ?? "";
  const recapChannel = current.channels.find((c) => c.id === current.recapChannelId);
  ui.recapHelp.textContent = `Posts ${current.name}'s recap of that week in #${recapChannel?.name ?? "recaps"}, as its weekly job would.`;
  ui.recapWeek.min = world.recapWeeks.first;
  ui.recapWeek.max = world.recapWeeks.last;
  if (!ui.recapWeek.value) ui.recapWeek.value = world.recapWeeks.suggested;
  document.title = channel
    ? `#${channel.name} · ${current.name} · modeldex playground`
    : "modeldex playground";
}

// ---------------------------------------------------------------- the channel

/** Replaces only the messages that changed, keeping focus on the control that had it. */
function renderMessages(views: MessageView[]): void {
  const list = ui.messages;
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const focused = document.activeElement;
  const focusKey =
    focused instanceof HTMLElement && list.contains(focused)
      ? (focused.dataset.key ?? focused.closest("article")?.id)
      : undefined;
  const keep = new Set(views.map((v) => v.message.id));
  for (const id of [...state.rendered.keys()]) {
    if (keep.has(id)) continue;
    document.getElementById(`message-${id}`)?.remove();
    state.rendered.delete(id);
  }
  let previous: Element | null = null;
  for (const view of views) {
    const id = view.message.id;
    const signature = JSON.stringify(view);
    let node = document.getElementById(`message-${id}`);
    if (!node || state.rendered.get(id) !== signature) {
      const fresh = renderMessage(view, hooks);
      if (node) node.replaceWith(fresh);
      node = fresh;
      state.rendered.set(id, signature);
    }
    const expected: Element | null = previous
      ? previous.nextElementSibling
      : list.firstElementChild;
    if (expected !== node) {
      if (previous) previous.after(node);
      else list.prepend(node);
    }
    previous = node;
  }
  if (views.length === 0 && !list.querySelector(".empty"))
    list.append(el("p", { class: "empty" }, "No messages yet. Type / to talk to the bot."));
  if (views.length > 0) list.querySelector(".empty")?.remove();
  if (focusKey && !list.contains(document.activeElement)) {
    const again =
      list.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"]:not(:disabled)`) ??
      document.getElementById(focusKey) ??
      (focused instanceof HTMLElement
        ? document.getElementById(focused.closest("article")?.id ?? "")
        : null);
    again?.focus();
  }
  if (nearBottom) list.scrollTop = list.scrollHeight;
}

let refreshing: Promise<void> | undefined;
let again = false;

/** Fetches the channel; a change during a fetch fetches once more after it. */
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const channel = state.channelId;
      try {
        const views = await api.messages(state.as, channel);
        if (channel === state.channelId) renderMessages(views);
      } catch (error) {
        say(problemOf(error), "error");
      }
    } while (again);
    refreshing = undefined;
  })();
  return refreshing;
}

async function choose(serverId: string, channelId: string): Promise<void> {
  const changedServer = serverId !== state.serverId;
  state.serverId = serverId;
  state.channelId = channelId;
  state.unread.delete(channelId);
  localStorage.setItem("playground.server", serverId);
  localStorage.setItem("playground.channel", channelId);
  document.body.classList.remove("menu-open");
  ui.menu.setAttribute("aria-expanded", "false");
  if (changedServer) await enter();
  else {
    state.rendered.clear();
    ui.messages.replaceChildren();
    renderSidebar();
    composer.reset(placeholder());
    await refresh();
  }
}

function placeholder(): string {
  const channel = server()?.channels.find((c) => c.id === state.channelId);
  return `Message #${channel?.name ?? "channel"} as ${me()?.name ?? "you"} — type / for commands`;
}

/** Shows the chosen channel as the chosen person: their commands, their ephemeral replies. */
async function enter(): Promise<void> {
  const world = state.world;
  if (!world) return;
  if (!server()) state.serverId = world.servers[0]!.id;
  const current = server()!;
  if (!current.channels.some((c) => c.id === state.channelId))
    state.channelId = current.channels[0]!.id;
  if (!me()) state.as = world.people[0]!.id;
  state.rendered.clear();
  ui.messages.replaceChildren();
  renderSidebar();
  composer.reset(placeholder());
  if (!world.ready) {
    say("Starting the bot…");
    return;
  }
  try {
    state.leaves = leaves(await api.commands(state.as, state.serverId));
  } catch (error) {
    say(problemOf(error), "error");
  }
  await refresh();
}

async function loadWorld(): Promise<void> {
  try {
    state.world = await api.world();
  } catch (error) {
    say(problemOf(error), "error");
    return;
  }
  if (state.world.ready && ui.status.textContent === "Starting the bot…") say("The bot is ready.");
  await enter();
}

// ---------------------------------------------------------------- controls

// Jump links (discord.com/channels/server/channel/message) open the message here.
ui.messages.addEventListener("click", (event) => {
  const anchor = (event.target as Element).closest("a");
  const jump =
    anchor && /^https:\/\/discord\.com\/channels\/(\d+)\/(\d+)(?:\/(\d+))?$/.exec(anchor.href);
  const target = jump && state.world?.servers.find((s) => s.id === jump[1]);
  if (!jump || !target?.channels.some((c) => c.id === jump[2])) return;
  event.preventDefault();
  void choose(target.id, jump[2]!).then(() => {
    const message = jump[3] ? document.getElementById(`message-${jump[3]}`) : null;
    if (!message) {
      if (jump[3])
        say(
          "That message is no longer here: the playground's channels start empty after a restart.",
        );
      return;
    }
    message.scrollIntoView({ block: "center" });
    message.classList.add("highlighted");
    message.focus();
    setTimeout(() => message.classList.remove("highlighted"), 2_000);
  });
});

// On a small screen the channel list opens over the channel; focus goes into it, Escape leaves.
ui.menu.addEventListener("click", () => {
  const open = document.body.classList.toggle("menu-open");
  ui.menu.setAttribute("aria-expanded", String(open));
  if (open) ui.channels.querySelector<HTMLElement>("[aria-current=page]")?.focus();
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !document.body.classList.contains("menu-open")) return;
  document.body.classList.remove("menu-open");
  ui.menu.setAttribute("aria-expanded", "false");
  ui.menu.focus();
});

ui.recapForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const week = ui.recapWeek.value;
  if (!week) {
    say("Pick a week first.", "error");
    return;
  }
  say(`Posting the recap of ${week}…`);
  void act(() => api.recap({ server: state.serverId, week }), null);
});

ui.reset.addEventListener("click", () => ui.resetDialog.showModal());
ui.resetCancel.addEventListener("click", () => ui.resetDialog.close());
ui.resetConfirm.addEventListener("click", () => {
  ui.resetDialog.close();
  say("Starting over…");
  void api
    .reset()
    .then(() => say("The playground starts over: no entries, bookmarks or settings."))
    .catch((error: unknown) => say(problemOf(error), "error"));
});

const events = new EventSource("/api/events");
events.addEventListener("channel", (event) => {
  const { channel } = JSON.parse((event as MessageEvent<string>).data) as { channel: string };
  if (channel === state.channelId) void refresh();
  else if (server()?.channels.some((c) => c.id === channel)) {
    state.unread.add(channel);
    renderSidebar();
  }
});
events.addEventListener("world", () => void loadWorld());
// After a lost connection (the playground restarted, say), everything is read again.
let lost = false;
events.addEventListener("error", () => {
  if (lost) return;
  lost = true;
  say("Lost the connection to the playground; reconnecting…", "error");
});
events.addEventListener("open", () => {
  if (!lost) return;
  lost = false;
  say("Connected again.");
  void loadWorld();
});

void loadWorld();
