import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandStringOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { z } from "zod";
import type { AppContext } from "../src/app/context.js";
import type { CatalogKnowledge } from "../src/catalog/knowledge.js";
import type { CatalogEntry } from "../src/catalog/load.js";
import { LabKind } from "../src/catalog/schema.js";
import { findQuote } from "../src/corpus/quotes.js";
import { reply, type Reply } from "../src/discord/payload.js";
import {
  FormContext,
  FormError,
  FormValues,
  buildEntry,
  duplicateProblems,
  readForm,
  valuesOf,
  type ResolvedSource,
} from "../src/entries/form.js";
import { type GuildEntryState } from "../src/entries/repository.js";
import { STALE_BUTTON, STALE_FORM, StaleInteractionError, UserError } from "../src/errors.js";
import { requiredString, stringOption } from "../src/interactions/options.js";
import type {
  AutocompleteCall,
  Choice,
  CommandCall,
  CommandModule,
  ComponentCall,
  ModalCall,
} from "../src/interactions/types.js";
import {
  entryForm,
  formDescription,
  formErrorReply,
  historyReply,
  removeConfirmation,
  removedReply,
  savedReply,
  unknownLabReply,
} from "../src/replies/entries.js";
import { MANAGE_GUILD_PERMISSION } from "../src/settings/permissions.js";
import { stash, unstash } from "../src/store/stash.js";
import { escapeMarkdown } from "../src/text/markdown.js";
import { compactKey } from "../src/text/tokens.js";
import { truncate } from "../src/text/truncate.js";
import { cardFor, choicesFor, knowledgeFor } from "./catalog-shared.js";
import { moderatorGuild } from "./moderation.js";

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
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const FORM_TTL_MS = 24 * 60 * 60 * 1000;

/** Whose draft a saved form is: it opens only for that member, in that server. */
interface DraftOwner {
  readonly guildId: string;
  readonly userId: string;
}

const StashedForm = z.object({ guildId: z.string(), userId: z.string(), form: FormContext });

function stashForm(ctx: AppContext, owner: DraftOwner, context: FormContext): Promise<string> {
  const draft = { guildId: owner.guildId, userId: owner.userId, form: context };
  return stash(ctx.store, "entry-form", draft, FORM_TTL_MS);
}

/** A saved form, if it is this member's in this server; a custom id is all a client sends. */
async function openDraft(
  ctx: AppContext,
  owner: DraftOwner,
  id: string,
  shown: string,
): Promise<FormContext> {
  const draft = await unstash(ctx.store, "entry-form", id, StashedForm);
  if (!draft) throw new UserError("This form has expired. Run the command again.");
  if (draft.guildId !== owner.guildId || draft.userId !== owner.userId)
    throw new StaleInteractionError(`entry draft ${id} belongs to another server or member`, shown);
  return draft.form;
}

async function openForm(
  ctx: AppContext,
  owner: DraftOwner,
  context: FormContext,
  currentName?: string,
): Promise<Reply> {
  const id = await stashForm(ctx, owner, context);
  const values = context.values ?? context.base ?? FormValues.parse({});
  const modal = entryForm(`entry:form:${id}`, context, values, currentName);
  return { ...formDescription(modal), modal };
}

/** Every entry this server has touched, including removed ones: history and revert reach them. */
async function serverStates(ctx: AppContext, guildId: string): Promise<GuildEntryState[]> {
  return ctx.catalogs.entries.list(guildId);
}

/** A removed entry's name: its last version in this server, or the shipped one. */
async function removedName(ctx: AppContext, guildId: string, state: GuildEntryState) {
  const records = await ctx.catalogs.entries.history(guildId, state.entryId);
  const last = records.findLast((r) => r.after.entry)?.after.entry;
  return last?.name ?? ctx.catalog.get(state.entryId)?.entry.name ?? state.entryId;
}

/**
 * An entry by what was typed or picked. With `includeRemoved`, an exact match among the server's
 * removed entries wins over a looser match among the visible ones ("o3" is o3, not o3-mini).
 */
async function findEntry(
  typed: string,
  knowledge: CatalogKnowledge,
  ctx: AppContext,
  guildId: string,
  { includeRemoved }: { includeRemoved: boolean },
): Promise<{ id: string; name: string; kind: "model" | "lab"; entry?: EditableEntry }> {
  const visible = (found: EditableEntry) => ({
    id: found.entry.id,
    name: found.entry.name,
    kind: found.kind,
    entry: found,
  });
  const exact = editable(knowledge.get(typed.trim())) ?? exactMatch(knowledge, typed);
  if (exact) return visible(exact);
  if (includeRemoved) {
    const key = compactKey(typed);
    for (const state of await serverStates(ctx, guildId)) {
      if (state.status !== "removed") continue;
      const name = await removedName(ctx, guildId, state);
      const shipped = ctx.catalog.get(state.entryId)?.entry;
      const forms = [name, ...(shipped ? [shipped.name, ...shipped.aliases] : [])];
      if (state.entryId === typed.trim() || forms.some((f) => compactKey(f) === key))
        return { id: state.entryId, name, kind: state.kind };
    }
  }
  const loose = editable(knowledge.editable.resolve(typed));
  if (loose) return visible(loose);
  throw new UserError(
    `No model or lab called **${escapeMarkdown(truncate(typed, 80))}** in this server's catalogue. Pick one from the list.`,
  );
}

function exactMatch(knowledge: CatalogKnowledge, typed: string): EditableEntry | undefined {
  const [best] = knowledge.editable.find(typed, 1);
  return best?.tier === "exact" ? editable(knowledge.get(best.id)) : undefined;
}

type EditableEntry = Extract<CatalogEntry, { kind: "model" | "lab" }>;

/** Servers edit models and labs; families and products come only with the shipped catalogue. */
function editable(entry: CatalogEntry | undefined): EditableEntry | undefined {
  return entry?.kind === "model" || entry?.kind === "lab" ? entry : undefined;
}

type LabResolution = { ids: string[] } | { unknown: string; suggestions: string[] };

/**
 * A lab named on the command: its id (what autocomplete gives), a name or alias, or the start of
 * one. A typo's fuzzy match is not taken: "Cohere" must not save a model under Cursor unseen.
 */
function labNamed(part: string, knowledge: CatalogKnowledge): CatalogEntry | undefined {
  const lab = knowledge.labs.resolve(part);
  if (!lab || lab.entry.id === part) return lab;
  const [best] = knowledge.labs.find(part, 1);
  return best?.tier === "fuzzy" ? undefined : lab;
}

function resolveLabs(text: string, knowledge: CatalogKnowledge): LabResolution {
  const ids: string[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const lab = labNamed(part, knowledge);
    if (!lab) {
      const suggestions = knowledge.labs
        .find(part, 3)
        .map((hit) => knowledge.get(hit.id)?.entry.name)
        .filter((n): n is string => !!n);
      return { unknown: part, suggestions };
    }
    if (!ids.includes(lab.entry.id)) ids.push(lab.entry.id);
  }
  return { ids };
}

/** Lab options on the command: a model's labs, or a lab's kind and parent. */
async function labContext(
  call: CommandCall,
  owner: DraftOwner,
  kind: "model" | "lab",
  knowledge: CatalogKnowledge,
  ctx: AppContext,
): Promise<Partial<FormContext> | Reply> {
  const labText = stringOption(call, "lab")?.trim();
  const labKind = stringOption(call, "lab-kind");
  const context: Partial<FormContext> = {};
  if (labKind) {
    if (kind !== "lab") throw new UserError("`lab-kind` is for labs; leave it out for a model.");
    const parsed = LabKind.safeParse(labKind);
    if (!parsed.success) throw new UserError("`lab-kind` must be one of the listed kinds.");
    context.labKind = parsed.data;
  }
  if (!labText) return context;
  const labs = resolveLabs(labText, knowledge);
  if ("unknown" in labs) {
    const newLab = await stashForm(ctx, owner, {
      mode: "add",
      kind: "lab",
      values: FormValues.parse({ name: labs.unknown.slice(0, 100) }),
    });
    return unknownLabReply(labs.unknown, newLab, labs.suggestions);
  }
  if (kind === "model") context.labs = labs.ids;
  else if (labs.ids.length > 1) throw new UserError("A lab belongs to one parent lab at most.");
  else context.parent = labs.ids[0];
  return context;
}

const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && "payload" in value;

async function add(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const kind = requiredString(call, "kind") === "lab" ? "lab" : "model";
  const knowledge = await ctx.catalogs.for(guildId);
  const owner = { guildId, userId: call.userId };
  const labs = await labContext(call, owner, kind, knowledge, ctx);
  if (isReply(labs)) return labs;
  if (kind === "model" && !labs.labs)
    throw new UserError(
      "Give the model's `lab` (the list offers this server's labs). A new lab? Add it first with `/entry add kind:Lab`.",
    );
  return openForm(ctx, owner, { mode: "add", kind, ...labs });
}

async function edit(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const knowledge = await ctx.catalogs.for(guildId);
  const target = await findEntry(requiredString(call, "name"), knowledge, ctx, guildId, {
    includeRemoved: false,
  });
  const entry = target.entry!;
  const owner = { guildId, userId: call.userId };
  const labs = await labContext(call, owner, entry.kind, knowledge, ctx);
  if (isReply(labs)) return labs;
  const base = valuesOf(entry.entry);
  return openForm(
    ctx,
    owner,
    { mode: "edit", kind: entry.kind, entryId: entry.entry.id, base, ...labs },
    entry.entry.name,
  );
}

async function remove(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const knowledge = await ctx.catalogs.for(guildId);
  const target = await findEntry(requiredString(call, "name"), knowledge, ctx, guildId, {
    includeRemoved: false,
  });
  const entry = target.entry!;
  const dependents =
    entry.kind === "lab"
      ? knowledge.catalog.models.filter((m) => m.labs.value.includes(entry.entry.id)).length
      : 0;
  return removeConfirmation(entry.entry, entry.kind, dependents);
}

async function history(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const knowledge = await ctx.catalogs.for(guildId);
  const target = await findEntry(requiredString(call, "name"), knowledge, ctx, guildId, {
    includeRemoved: true,
  });
  const records = await ctx.catalogs.entries.history(guildId, target.id);
  return historyReply(target.name, records, ctx.catalog.get(target.id)?.entry, knowledge);
}

async function revert(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const knowledge = await ctx.catalogs.for(guildId);
  const target = await findEntry(requiredString(call, "name"), knowledge, ctx, guildId, {
    includeRemoved: true,
  });
  const version = call.options.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0)
    throw new UserError(
      "`version` must be a whole number: 0 for the entry as shipped, or one from `/entry history`.",
    );
  const records = await ctx.catalogs.entries.history(guildId, target.id);
  const shipped = editable(ctx.catalog.get(target.id));
  const restored =
    version === 0 ? shipped?.entry : records.find((r) => r.version === version)?.after.entry;
  const existed = version === 0 ? !!shipped : records.some((r) => r.version === version);
  if (!existed) {
    const known = [...(shipped ? [0] : []), ...records.map((r) => r.version)];
    throw new UserError(
      `**${escapeMarkdown(target.name)}** has no version ${version} in this server. Versions: ${known.join(", ") || "none"}.`,
    );
  }
  if (restored) {
    const problems = duplicateProblems(restored, knowledge);
    if (problems.length) throw new FormError(problems);
  }
  const state = await ctx.catalogs.entries.revert(
    guildId,
    target.id,
    version,
    call.userId,
    ctx.now(),
    shipped ? { kind: shipped.kind, entry: shipped.entry } : undefined,
  );
  if (!state?.entry) {
    return reply({
      ephemeral: true,
      content: `Restored version ${version} of **${escapeMarkdown(target.name)}**: it is removed in this server (now version ${state?.version ?? "?"}).`,
    });
  }
  const view = await ctx.catalogs.for(guildId);
  const entry = view.get(state.entryId);
  return savedReply("revert", state, entry ? cardFor(entry, view, ctx) : reply({}));
}

/** A submitted add or edit form. */
async function submitForm(call: ModalCall, ctx: AppContext): Promise<Reply> {
  const { guildId } = await moderatorGuild(call, ctx);
  const [, action, id = ""] = call.customId.split(":");
  if (action !== "form")
    throw new StaleInteractionError(`entry form "${call.customId}" does not parse`, STALE_FORM);
  const owner = { guildId, userId: call.userId };
  const context = await openDraft(ctx, owner, id, STALE_FORM);
  const typed = FormValues.parse({ ...call.fields });
  try {
    const form = readForm(context.kind, typed, ctx.now());
    const knowledge = await ctx.catalogs.for(guildId);
    let current: CatalogEntry | undefined;
    if (context.mode === "edit") {
      current = knowledge.get(context.entryId ?? "");
      if (!current)
        throw new FormError(["That entry was removed from this server while your form was open."]);
    }
    let source: ResolvedSource | undefined;
    if (form.source?.kind === "link") source = form.source;
    if (form.source?.kind === "quote") {
      const found = await findQuote(ctx.corpus, form.source.text);
      if (!found)
        throw new FormError([
          "The source quote is not in the corpus. Paste a sentence exactly as a document has it, or give an https link.",
        ]);
      source = { kind: "quote", found };
    }
    const missingLab = [...(context.labs ?? []), ...(context.parent ? [context.parent] : [])].find(
      (lab) => knowledge.get(lab)?.kind !== "lab",
    );
    if (missingLab)
      throw new FormError([`The lab "${missingLab}" is no longer in this server's catalogue.`]);
    const states = await serverStates(ctx, guildId);
    const entry = buildEntry({
      context,
      typed,
      form,
      current: current?.entry,
      takenIds: (candidate) =>
        !!knowledge.get(candidate) ||
        !!ctx.catalog.get(candidate) ||
        states.some((s) => s.entryId === candidate),
      source,
      by: call.userId,
    });
    const problems = duplicateProblems(entry, knowledge);
    if (problems.length) throw new FormError(problems);
    const state = await ctx.catalogs.entries.save({
      guildId,
      entryId: entry.id,
      kind: context.kind,
      action: context.mode,
      entry,
      by: call.userId,
      at: ctx.now(),
    });
    const view = await ctx.catalogs.for(guildId);
    const saved = view.get(entry.id);
    return savedReply(context.mode, state, saved ? cardFor(saved, view, ctx) : reply({}));
  } catch (error) {
    if (!(error instanceof FormError)) throw error;
    const retry = await stashForm(ctx, owner, { ...context, values: typed });
    return formErrorReply(error.message, retry);
  }
}

async function onComponent(call: ComponentCall, ctx: AppContext): Promise<Reply> {
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
  examples: ["/entry add kind:Model lab:moonshot", "/entry history name:kimi k2"],
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
      default:
        throw new UserError("Use `/entry add`, `edit`, `remove`, `history` or `revert`.");
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
