import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { ephemeral } from "../src/discord/payload.js";
import { StaleInteractionError, UserError } from "../src/errors.js";
import { requiredString, stringOption } from "../src/interactions/options.js";
import type { CatalogKnowledge } from "../src/catalog/knowledge.js";
import type {
  AutocompleteCall,
  Caller,
  Choice,
  CommandCall,
  CommandModule,
  ComponentCall,
} from "../src/interactions/types.js";
import { SEARCH_PAGE_SIZE, searchPage } from "../src/replies/search.js";
import { searchCorpus } from "../src/search/search.js";
import { getSearchSession, saveSearchSession, type SearchSession } from "../src/search/sessions.js";
import { parseDateBound } from "../src/text/dates.js";
import { escapeMarkdown } from "../src/text/markdown.js";
import { truncate } from "../src/text/truncate.js";

export const MAX_QUERY_LENGTH = 200;

export const definition = {
  name: "search",
  type: ApplicationCommandType.ChatInput,
  description: "Search the newsletters, essays and podcast notes modeldex has read",
  options: [
    {
      name: "query",
      description: "What to look for, e.g. distillation attacks, Olmo 3 license, gpt 5.4 mini",
      type: ApplicationCommandOptionType.String,
      required: true,
      max_length: MAX_QUERY_LENGTH,
    },
    {
      name: "source",
      description: "Only this publication",
      type: ApplicationCommandOptionType.String,
      autocomplete: true,
    },
    {
      name: "from",
      description: "Only documents dated on or after, e.g. 2025 or 2025-06 or 2025-06-14",
      type: ApplicationCommandOptionType.String,
      max_length: 10,
    },
    {
      name: "to",
      description: "Only documents dated on or before, e.g. 2026-02",
      type: ApplicationCommandOptionType.String,
      max_length: 10,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const sourceCounts = new WeakMap<AppContext["corpus"], Map<string, number>>();

/** Publications and their document counts, counted once per corpus. */
function sourcesOf(ctx: AppContext): Map<string, number> {
  let counts = sourceCounts.get(ctx.corpus);
  if (!counts) {
    counts = new Map();
    for (const doc of ctx.corpus.documents)
      counts.set(doc.source, (counts.get(doc.source) ?? 0) + 1);
    sourceCounts.set(ctx.corpus, counts);
  }
  return counts;
}

function sourceChoices(ctx: AppContext, typed: string): Choice[] {
  const wanted = typed.trim().toLowerCase();
  return [...sourcesOf(ctx)]
    .filter(([name]) => name.toLowerCase().includes(wanted))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([name, count]) => ({
      name: `${name} (${count} documents)`.slice(0, 100),
      value: name.slice(0, 100),
    }));
}

function readRequest(call: CommandCall, ctx: AppContext): SearchSession {
  const query = requiredString(call, "query");
  if (query.length > MAX_QUERY_LENGTH) {
    throw new UserError(
      `That query is ${query.length} characters long; keep it under ${MAX_QUERY_LENGTH}.`,
    );
  }
  const sourceInput = stringOption(call, "source")?.trim();
  let source: string | undefined;
  if (sourceInput) {
    const sources = [...sourcesOf(ctx).keys()];
    source = sources.find((s) => s.toLowerCase() === sourceInput.toLowerCase());
    if (!source) {
      throw new UserError(
        `There is no source called "${escapeMarkdown(truncate(sourceInput, 60), { atLineStart: false })}". Sources: ${sources.join(", ")}.`,
      );
    }
  }
  const fromInput = stringOption(call, "from");
  const toInput = stringOption(call, "to");
  const from = fromInput ? parseDateBound(fromInput, "from", "from") : undefined;
  const to = toInput ? parseDateBound(toInput, "to", "to") : undefined;
  if (from && to && from > to) throw new UserError("`from` is after `to`: swap them.");
  return { query, source, from, to };
}

/** Entries the query names, so a server's new entries show up here too. */
function catalogMatches(knowledge: CatalogKnowledge, query: string) {
  return knowledge.named(query).flatMap((id) => {
    const found = knowledge.get(id);
    return found ? [{ id, kind: found.kind, name: found.entry.name }] : [];
  });
}

async function showPage(
  session: SearchSession,
  page: number,
  id: string,
  caller: Caller,
  ctx: AppContext,
) {
  const result = await searchCorpus(ctx.searchIndex, ctx.corpus, {
    ...session,
    shown: { page, size: SEARCH_PAGE_SIZE },
  });
  const entries = catalogMatches(await ctx.catalogs.for(caller.guildId), session.query);
  return searchPage({ result, page, sessionId: id, filters: session, entries });
}

export const search: CommandModule = {
  definition,
  examples: [
    "/search query:distillation attacks from:2026",
    "/search query:olmo 3 license source:Interconnects",
  ],
  heavy: true,
  async execute(call, ctx) {
    const request = readRequest(call, ctx);
    const id = saveSearchSession(ctx.store, request);
    return showPage(request, 0, id, call, ctx);
  },

  async autocomplete(call: AutocompleteCall, ctx): Promise<Choice[]> {
    return sourceChoices(ctx, call.focused.value);
  },

  autocompleteFallback(ctx) {
    return sourceChoices(ctx, "");
  },

  async component(call: ComponentCall, ctx) {
    const [, action, id, pageText] = call.customId.split(":");
    const page = Number(pageText);
    if (action !== "page" || !id || !Number.isInteger(page) || page < 0)
      throw new StaleInteractionError(`search button "${call.customId}" does not parse`);
    const session = await getSearchSession(ctx.store, id);
    if (!session) return ephemeral("This search has expired. Run `/search` again.");
    return { ...(await showPage(session, page, id, call, ctx)), update: true };
  },
};
