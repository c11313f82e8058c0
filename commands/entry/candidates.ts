import type { AppContext } from "../../src/app/context.js";
import { namesEntry, openCandidates } from "../../src/candidates/open.js";
import type { Reply } from "../../src/discord/payload.js";
import { FormValues, SOURCE_MAX } from "../../src/entries/form.js";
import { UserError } from "../../src/errors.js";
import type { ComponentCall } from "../../src/interactions/types.js";
import { candidatesPage, type CandidateAction } from "../../src/replies/candidates.js";
import { escapeMarkdown } from "../../src/text/markdown.js";
import { truncate } from "../../src/text/truncate.js";
import { moderatorGuild } from "../moderation.js";
import { openForm } from "./forms.js";

/** The server's candidates, one page of them, with a line above the list when something happened. */
export async function candidatesList(
  ctx: AppContext,
  guildId: string,
  page: number,
  notice?: string,
): Promise<Reply> {
  const records = ctx.feedRecords;
  const open = records
    ? await openCandidates(records.candidates, await ctx.catalogs.for(guildId), guildId)
    : [];
  return candidatesPage(open, page, (id) => ctx.corpus.byId.get(id), notice);
}

const nameOf = (name: string) => `**${escapeMarkdown(truncate(name, 100))}**`;

/** The sentence as the form's source: whole when it fits, else cut at a word (still a quote). */
function quoteFrom(sentence: string): string {
  if (sentence.length <= SOURCE_MAX) return sentence;
  const cut = sentence.lastIndexOf(" ", SOURCE_MAX);
  return sentence.slice(0, cut > 0 ? cut : SOURCE_MAX);
}

/** Add (the entry form, filled in), Dismiss, or another page of the list. */
export async function candidateComponent(
  call: ComponentCall,
  ctx: AppContext,
  pressed: CandidateAction,
): Promise<Reply> {
  const { guildId } = await moderatorGuild(call, ctx);
  if (pressed.action === "page")
    return { ...(await candidatesList(ctx, guildId, pressed.page)), update: true };
  const candidate = await ctx.feedRecords?.candidates.getCandidate(guildId, pressed.key);
  if (pressed.action === "dismiss") {
    const dismissed =
      candidate &&
      (await ctx.feedRecords!.candidates.dismissCandidate(
        guildId,
        candidate.key,
        call.userId,
        ctx.now().getTime(),
      ));
    const notice = dismissed
      ? `Dismissed ${nameOf(candidate.name)} in this server.`
      : "That name was dismissed already.";
    return { ...(await candidatesList(ctx, guildId, pressed.page, notice)), update: true };
  }
  if (!candidate)
    throw new UserError(
      "That name is no longer waiting: it was dismissed meanwhile. Run `/entry candidates` again.",
    );
  const knowledge = await ctx.catalogs.for(guildId);
  if (namesEntry(knowledge, candidate.name))
    throw new UserError(`${nameOf(candidate.name)} is in this server's catalogue already.`);
  const labs = knowledge
    .named(candidate.sentence)
    .filter((id) => knowledge.get(id)?.kind === "lab");
  if (labs.length === 0)
    throw new UserError(
      `The sentence names no lab in this server's catalogue, and a model needs one. Add ${nameOf(candidate.name)} with \`/entry add kind:Model lab:<its lab>\`, or add its lab first with \`/entry add kind:Lab\`.`,
    );
  return openForm(
    ctx,
    { guildId, userId: call.userId },
    {
      mode: "add",
      kind: "model",
      labs,
      values: FormValues.parse({
        name: truncate(candidate.name, 100),
        released: candidate.docDate,
        source: quoteFrom(candidate.sentence),
      }),
    },
  );
}
