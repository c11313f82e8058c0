import { ButtonStyle } from "discord-api-types/v10";
import type { Bookmark } from "../bookmarks/repository.js";
import { buttonRows, reply, type Reply } from "../discord/payload.js";
import { markdownLink } from "../text/links.js";
import { defuseMentions, escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

export const BOOKMARKS_PAGE_SIZE = 10;
const COLOUR = 0xf5a623;

export function jumpLink(b: Pick<Bookmark, "guildId" | "channelId" | "messageId">): string {
  return `https://discord.com/channels/${b.guildId}/${b.channelId}/${b.messageId}`;
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function what(b: Bookmark): string {
  if (b.entry) return `${b.entry.kind} card`;
  if (b.query !== undefined) return "search";
  if (b.kind === "answer") return "answer";
  return b.authorId ? `message by <@${b.authorId}>` : "message";
}

function line(b: Bookmark, n: number): string {
  const title = escapeMarkdown(truncate(b.title.replace(/\s+/g, " "), 80));
  const place = `in <#${b.channelId}> · saved <t:${unix(b.savedAt)}:R>`;
  if (b.deletedAt)
    return `**${n}.** ~~${title}~~ · ${what(b)} · the message was deleted · ${place}`;
  return `**${n}.** ${markdownLink(title, jumpLink(b))} · ${what(b)} · ${place}`;
}

export function matchesFilter(b: Bookmark, filter: string | undefined): boolean {
  if (!filter) return true;
  const wanted = filter.trim().toLowerCase();
  return [b.title, b.query ?? "", b.entry?.id ?? ""].some((t) => t.toLowerCase().includes(wanted));
}

/** One page of a member's bookmarks, newest first, each with a jump link. */
export function bookmarksPage(
  all: readonly Bookmark[],
  page: number,
  options: { filter?: string; filterId?: string; emoji: string },
): Reply {
  const items = all.filter((b) => matchesFilter(b, options.filter));
  if (items.length === 0) {
    return reply({
      ephemeral: true,
      content: options.filter
        ? `None of your bookmarks here match **${escapeMarkdown(truncate(options.filter, 60))}**.`
        : `You have no bookmarks in this server yet. React ${options.emoji} on one of my answers (or any message) to save it.`,
    });
  }
  const pages = Math.ceil(items.length / BOOKMARKS_PAGE_SIZE);
  const current = Math.min(Math.max(0, page), pages - 1);
  const first = current * BOOKMARKS_PAGE_SIZE;
  const shown = items.slice(first, first + BOOKMARKS_PAGE_SIZE);
  const filterPart = options.filterId ?? "-";
  return reply({
    ephemeral: true,
    embeds: [
      {
        title: options.filter
          ? truncate(`Your bookmarks matching “${defuseMentions(options.filter)}”`, 256)
          : "Your bookmarks in this server",
        color: COLOUR,
        description: shown.map((b, i) => line(b, first + i + 1)).join("\n"),
        footer: {
          text: `${first + 1}–${first + shown.length} of ${items.length} · newest first · remove one with /bookmarks remove`,
        },
      },
    ],
    components:
      pages > 1
        ? buttonRows([
            {
              customId: `bookmarks:page:${current - 1}:${filterPart}`,
              label: "◀ Prev",
              disabled: current === 0,
            },
            {
              customId: `bookmarks:page:${current + 1}:${filterPart}`,
              label: "Next ▶",
              disabled: current >= pages - 1,
            },
          ])
        : [],
  });
}

export function clearConfirmation(count: number): Reply {
  if (count === 0)
    return reply({ ephemeral: true, content: "You have no bookmarks here to clear." });
  return reply({
    ephemeral: true,
    content: `Delete all ${count} of your bookmarks in this server? This cannot be undone; \`/bookmarks export\` keeps a copy.`,
    components: buttonRows([
      {
        customId: "bookmarks:clear",
        label: `Delete ${count} bookmarks`,
        style: ButtonStyle.Danger,
      },
      { customId: "bookmarks:cancel", label: "Cancel" },
    ]),
  });
}

/** The member's bookmarks as a file: JSON for tools, Markdown for reading. */
export function exportReply(items: readonly Bookmark[], format: "json" | "markdown"): Reply {
  if (items.length === 0)
    return reply({ ephemeral: true, content: "You have no bookmarks in this server to export." });
  const data =
    format === "json"
      ? JSON.stringify(
          items.map((b) => ({ ...b, link: jumpLink(b) })),
          null,
          2,
        )
      : [
          "# Bookmarks",
          "",
          ...items.map(
            (b) =>
              `- ${markdownLink(b.title.replace(/[[\]]/g, ""), jumpLink(b))} · ${what(b).replace(/<@(\d+)>/, "user $1")} · saved ${b.savedAt.slice(0, 10)}${b.deletedAt ? " · message deleted" : ""}`,
          ),
          "",
        ].join("\n");
  return reply({
    ephemeral: true,
    content: `Your ${items.length} bookmark${items.length === 1 ? "" : "s"} in this server, newest first.`,
    files: [{ name: format === "json" ? "bookmarks.json" : "bookmarks.md", data }],
  });
}

/** Sent by DM when a member's reaction could not be saved: they are at their limit. */
export function limitNotice(
  limit: number,
  where: Pick<Bookmark, "guildId" | "channelId" | "messageId">,
): { content: string } {
  return {
    content: `I could not bookmark ${jumpLink(where)}: you already have ${limit} bookmarks in that server, the most one member can keep. Remove some with \`/bookmarks remove\` or \`/bookmarks clear\` (export them first with \`/bookmarks export\`), then react again.`,
  };
}
