import type { AppContext } from "../../src/app/context.js";
import type { CatalogKnowledge } from "../../src/catalog/knowledge.js";
import { LabKind } from "../../src/catalog/schema.js";
import { reply, type Reply } from "../../src/discord/payload.js";
import type { FormContext } from "../../src/entries/form.js";
import { FormError, FormValues, duplicateProblems, valuesOf } from "../../src/entries/form.js";
import { UserError } from "../../src/errors.js";
import { requiredString, stringOption } from "../../src/interactions/options.js";
import type { CommandCall } from "../../src/interactions/types.js";
import {
  historyReply,
  removeConfirmation,
  savedReply,
  unknownLabReply,
} from "../../src/replies/entries.js";
import { escapeMarkdown } from "../../src/text/markdown.js";
import { cardFor } from "../catalog-shared.js";
import { editable, findEntry, resolveLabs } from "./find.js";
import { openForm, stashForm, type DraftOwner } from "./forms.js";

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

export const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && "payload" in value;

export async function add(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
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

export async function edit(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
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

export async function remove(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
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

export async function history(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
  const knowledge = await ctx.catalogs.for(guildId);
  const target = await findEntry(requiredString(call, "name"), knowledge, ctx, guildId, {
    includeRemoved: true,
  });
  const records = await ctx.catalogs.entries.history(guildId, target.id);
  return historyReply(target.name, records, ctx.catalog.get(target.id)?.entry, knowledge);
}

export async function revert(call: CommandCall, ctx: AppContext, guildId: string): Promise<Reply> {
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
