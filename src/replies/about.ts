import { reply, type Reply } from "../discord/payload.js";
import type { ShardState } from "../ops/metrics.js";
import { formatDate } from "../text/dates.js";
import { escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

export interface AboutFacts {
  readonly version: string;
  readonly startedAt: Date;
  readonly documents: number;
  readonly passages: number;
  readonly newest?: {
    readonly title: string;
    readonly source: string;
    readonly date: string;
    readonly datePrecision: "day" | "month" | "year";
  };
  readonly models: number;
  readonly labs: number;
  /** This server's view, when its moderators changed the catalogue. */
  readonly server?: { readonly models: number; readonly labs: number };
  readonly storeKind: string;
  /** The shard that serves this server, and how many there are; undefined offline. */
  readonly shard?: {
    readonly state: ShardState | undefined;
    readonly id: number;
    readonly count: number;
  };
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function aboutCard(facts: AboutFacts): Reply {
  const newest = facts.newest
    ? `\nNewest: ${escapeMarkdown(truncate(facts.newest.title, 120))} (${escapeMarkdown(facts.newest.source)}, ${formatDate(facts.newest.date, facts.newest.datePrecision)})`
    : "";
  const server =
    facts.server && (facts.server.models !== facts.models || facts.server.labs !== facts.labs)
      ? `\nIn this server: ${plural(facts.server.models, "model")}, ${plural(facts.server.labs, "lab")}`
      : "";
  const shard = facts.shard
    ? `${facts.shard.id} of ${facts.shard.count}, ${facts.shard.state?.status ?? "not run by this process"}`
    : "none (offline)";
  const pingMs = facts.shard?.state?.pingMs;
  return reply({
    ephemeral: true,
    embeds: [
      {
        title: "About modeldex",
        color: 0x5865f2,
        description:
          "Answers about AI models and labs from a corpus of newsletters, essays and podcast notes, citing its sources.",
        fields: [
          { name: "Version", value: facts.version, inline: true },
          {
            name: "Up since",
            value: `<t:${Math.floor(facts.startedAt.getTime() / 1000)}:R>`,
            inline: true,
          },
          { name: "Store", value: facts.storeKind, inline: true },
          {
            name: "Corpus",
            value: `${plural(facts.documents, "document")}, ${plural(facts.passages, "passage")}${newest}`,
          },
          {
            name: "Catalogue",
            value: `${plural(facts.models, "model")}, ${plural(facts.labs, "lab")} shipped${server}`,
          },
          { name: "Shard", value: shard, inline: true },
          {
            name: "Gateway ping",
            value: pingMs === undefined ? "not measured yet" : `${pingMs} ms`,
            inline: true,
          },
        ],
      },
    ],
  });
}
