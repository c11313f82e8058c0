import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandStringOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import type { CatalogKnowledge } from "../src/catalog/knowledge.js";
import { reply, type Reply } from "../src/discord/payload.js";
import { STALE_BUTTON, StaleInteractionError, UserError } from "../src/errors.js";
import type {
  AutocompleteCall,
  Choice,
  CommandModule,
  ComponentCall,
} from "../src/interactions/types.js";
import { removedReply } from "../src/replies/entries.js";
import { MANAGE_GUILD_PERMISSION } from "../src/settings/permissions.js";
import { truncate } from "../src/text/truncate.js";
import { choicesFor, knowledgeFor } from "./catalog-shared.js";
import { moderatorGuild } from "./moderation.js";
import { candidateComponent, candidatesList } from "./entry/candidates.js";
import { parseCandidateId } from "../src/replies/candidates.js";
import { editable, removedName, resolveLabs, serverStates } from "./entry/find.js";
import { openDraft, openForm, submitForm } from "./entry/forms.js";
import { add, edit, history, remove, revert } from "./entry/subcommands.js";

const nameOption = (description: string) =>
  ({
    name: "name",
    description,
    type: ApplicationCommandOptionType.String,
    required: true,
    autocomplete: true,
    max_length: 100,
  }) as const;

const labOption = {
  name: "lab",
  description: "For a model: its lab (several: comma-separated). For a lab: the lab it belongs to",
  type: ApplicationCommandOptionType.String,
  autocomplete: true,
  max_length: 200,
} as const;

const labKindOption: APIApplicationCommandStringOption = {
  name: "lab-kind",
  description: "For a lab: what kind of organisation it is (default: company)",
  type: ApplicationCommandOptionType.String,
  choices: [
    { name: "Company", value: "company" },
    { name: "Research institute", value: "research-institute" },
    { name: "Non-profit", value: "non-profit" },
    { name: "Open-source project", value: "open-source-project" },
    { name: "Government", value: "government" },
  ],
};

export const definition = {
  name: "entry",
  type: ApplicationCommandType.ChatInput,
  description: "Moderators: add, edit, remove or restore this server's catalogue entries",
  default_member_permissions: MANAGE_GUILD_PERMISSION,
  contexts: [InteractionContextType.Guild],
  options: [
    {
      name: "add",
      description: "Add a model or a lab to this server's catalogue (opens a form)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          name: "kind",
          description: "Model or lab",
          type: ApplicationCommandOptionType.String,
          required: true,
          choices: [
            { name: "Model", value: "model" },
            { name: "Lab", value: "lab" },
          ],
        },
        labOption,
        labKindOption,
      ],
    },
    {
      name: "edit",
      description: "Edit an entry for this server (opens the form filled in)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [nameOption("The model or lab to edit"), labOption, labKindOption],
    },
    {
      name: "remove",
      description: "Hide an entry in this server (asks first; /entry revert brings it back)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [nameOption("The model or lab to remove")],
    },
    {
      name: "history",
      description: "Who changed an entry in this server, what and when",
      type: ApplicationCommandOptionType.Subcommand,
      options: [nameOption("The model or lab")],
    },
    {
      name: "revert",
      description: "Restore an earlier version of an entry (see /entry history)",
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        nameOption("The model or lab"),
        {
          name: "version",
          description: "The version to restore; 0 is the entry as shipped",
          type: ApplicationCommandOptionType.Integer,
          required: true,
          min_value: 0,
          max_value: 100_000,
        },
      ],
    },
    {
      name: "candidates",
      description:
        "Possible new models and labs found in documents from feeds: add or dismiss them",
      type: ApplicationCommandOptionType.Subcommand,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function onComponent(call: ComponentCall, ctx: AppContext): Promise<Reply> {
  const candidate = parseCandidateId(call.customId);
  if (candidate) return candidateComponent(call, ctx, candidate);
  const [, action, id = ""] = call.customId.split(":");
  if (action === "cancel")
    return {
      update: true,
      payload: reply({ content: "Nothing was changed.", components: [] }).payload,
    };
  const { guildId } = await moderatorGuild(call, ctx);
  if (action === "retry" || action === "newlab") {
    const owner = { guildId, userId: call.userId };
    const context = await openDraft(ctx, owner, id, STALE_BUTTON);
    const current = context.entryId
      ? (await ctx.catalogs.for(guildId)).get(context.entryId)
      : undefined;
    return openForm(ctx, owner, context, current?.entry.name);
  }
  if (action === "remove") {
    const knowledge = await ctx.catalogs.for(guildId);
    const entry = editable(knowledge.get(id));
    if (!entry) throw new UserError("That entry is already gone from this server's catalogue.");
    const state = await ctx.catalogs.entries.save({
      guildId,
      entryId: id,
      kind: entry.kind,
      action: "remove",
      by: call.userId,
      at: ctx.now(),
    });
    return removedReply(entry.entry, state);
  }
  throw new StaleInteractionError(`entry button "${call.customId}" does not parse`);
}

/** Names for autocomplete: the server's view, plus its removed entries for history and revert. */
async function nameChoices(call: AutocompleteCall, ctx: AppContext): Promise<Choice[]> {
  const knowledge = await knowledgeFor(call, ctx);
  const choices = choicesFor(knowledge, "editable", call.focused.value);
  if ((call.subcommand === "history" || call.subcommand === "revert") && call.guildId) {
    const typed = call.focused.value.trim().toLowerCase();
    for (const state of await serverStates(ctx, call.guildId)) {
      if (state.status !== "removed" || choices.some((c) => c.value === state.entryId)) continue;
      const name = await removedName(ctx, call.guildId, state);
      if (name.toLowerCase().includes(typed))
        choices.unshift({
          name: truncate(`${name} — removed in this server`, 100),
          value: state.entryId,
        });
    }
  }
  return choices.slice(0, 25);
}

function labChoices(call: AutocompleteCall, knowledge: CatalogKnowledge): Choice[] {
  const typed = call.focused.value;
  const cut = typed.lastIndexOf(",");
  const done = cut === -1 ? [] : resolveLabs(typed.slice(0, cut), knowledge);
  const prefix = "ids" in done ? done.ids : [];
  const names = prefix.map((id) => knowledge.get(id)?.entry.name ?? id);
  return choicesFor(knowledge, "lab", typed.slice(cut + 1))
    .filter((c) => !prefix.includes(c.value))
    .map((c) => ({
      name: truncate([...names, c.name].join(", "), 100),
      value: [...prefix, c.value].join(","),
    }))
    .filter((c) => c.value.length <= 100);
}

export const entry: CommandModule = {
  definition,
  examples: [
    "/entry add kind:Model lab:moonshot",
    "/entry history name:kimi k2",
    "/entry candidates",
  ],
  privateReplies: true,
  async execute(call, ctx) {
    const { guildId } = await moderatorGuild(call, ctx);
    switch (call.subcommand) {
      case "add":
        return add(call, ctx, guildId);
      case "edit":
        return edit(call, ctx, guildId);
      case "remove":
        return remove(call, ctx, guildId);
      case "history":
        return history(call, ctx, guildId);
      case "revert":
        return revert(call, ctx, guildId);
      case "candidates":
        return candidatesList(ctx, guildId, 0);
      default:
        throw new UserError(
          "Use `/entry add`, `edit`, `remove`, `history`, `revert` or `candidates`.",
        );
    }
  },
  async autocomplete(call, ctx) {
    if (call.focused.name === "lab") return labChoices(call, await knowledgeFor(call, ctx));
    return nameChoices(call, ctx);
  },
  autocompleteFallback(ctx) {
    return choicesFor(ctx.catalog, "editable", "");
  },
  component: onComponent,
  modal: submitForm,
};
