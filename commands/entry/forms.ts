import { z } from "zod";
import type { AppContext } from "../../src/app/context.js";
import type { CatalogEntry } from "../../src/catalog/load.js";
import { findQuote } from "../../src/corpus/quotes.js";
import { reply, type Reply } from "../../src/discord/payload.js";
import {
  FormContext,
  FormError,
  FormValues,
  buildEntry,
  duplicateProblems,
  readForm,
  type ResolvedSource,
} from "../../src/entries/form.js";
import { STALE_FORM, StaleInteractionError, UserError } from "../../src/errors.js";
import type { ModalCall } from "../../src/interactions/types.js";
import {
  entryForm,
  formDescription,
  formErrorReply,
  savedReply,
} from "../../src/replies/entries.js";
import { stash, unstash } from "../../src/store/stash.js";
import { cardFor } from "../catalog-shared.js";
import { moderatorGuild } from "../moderation.js";
import { serverStates } from "./find.js";

const FORM_TTL_MS = 24 * 60 * 60 * 1000;

/** Whose draft a saved form is: it opens only for that member, in that server. */
export interface DraftOwner {
  readonly guildId: string;
  readonly userId: string;
}

const StashedForm = z.object({ guildId: z.string(), userId: z.string(), form: FormContext });

export function stashForm(
  ctx: AppContext,
  owner: DraftOwner,
  context: FormContext,
): Promise<string> {
  const draft = { guildId: owner.guildId, userId: owner.userId, form: context };
  return stash(ctx.store, "entry-form", draft, FORM_TTL_MS);
}

/** A saved form, if it is this member's in this server; a custom id is all a client sends. */
export async function openDraft(
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

export async function openForm(
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

/** A submitted add or edit form. */
export async function submitForm(call: ModalCall, ctx: AppContext): Promise<Reply> {
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
