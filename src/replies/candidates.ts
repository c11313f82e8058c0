import { ButtonStyle, ComponentType } from "discord-api-types/v10";
import type { APIActionRowComponent, APIComponentInMessageActionRow } from "discord-api-types/v10";
import type { Candidate } from "../candidates/repository.js";
import type { CorpusDocument } from "../corpus/schema.js";
import { LIMITS } from "../discord/limits.js";
import { buttonRows, reply, type Reply } from "../discord/payload.js";
import { formatDate } from "../text/dates.js";
import { markdownLink } from "../text/links.js";
import { escapeMarkdown, squashWhitespace } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

const COLOUR = 0x57f287;
/** A row of Add and Dismiss per candidate, and one for paging: Discord allows five rows. */
export const CANDIDATES_PAGE_SIZE = LIMITS.actionRows - 1;
const QUOTE_MAX = 700;

/** Custom ids of the list's buttons; the handler parses them back with `parseCandidateId`. */
export const candidateIds = {
  add: (key: string) => `entry:cand-add:${key}`,
  dismiss: (key: string, page: number) => `entry:cand-dismiss:${page}:${key}`,
  page: (page: number) => `entry:cand-page:${page}`,
};

/** A candidate's key as stored (`compactKey` of its name), short enough for a custom id. */
const KEY = "([\\p{L}\\p{N}]{1,70})";
const PAGE = "(0|[1-9]\\d{0,3})";
const ADD = new RegExp(`^entry:cand-add:${KEY}$`, "u");
const DISMISS = new RegExp(`^entry:cand-dismiss:${PAGE}:${KEY}$`, "u");
const TURN = new RegExp(`^entry:cand-page:${PAGE}$`, "u");

/** Whether the list can carry buttons for this candidate (a longer key does not fit an id). */
const fitsButtons = (c: Candidate) => new RegExp(`^${KEY}$`, "u").test(c.key);

export type CandidateAction =
  | { action: "add"; key: string }
  | { action: "dismiss"; key: string; page: number }
  | { action: "page"; page: number };

/** The action a candidates button stands for, or undefined when the id is not one the list makes. */
export function parseCandidateId(customId: string): CandidateAction | undefined {
  const add = ADD.exec(customId);
  if (add) return { action: "add", key: add[1]! };
  const dismiss = DISMISS.exec(customId);
  if (dismiss) return { action: "dismiss", key: dismiss[2]!, page: Number(dismiss[1]) };
  const turn = TURN.exec(customId);
  if (turn) return { action: "page", page: Number(turn[1]) };
  return undefined;
}

/** Text from documents (names, sentences, titles) made inert. */
const inert = (text: string, max: number) =>
  escapeMarkdown(truncate(squashWhitespace(text), max), { atLineStart: false });

/**
 * One page of the server's open candidates, newest first: each name with the sentence it was
 * found in and its document, and buttons to add it (the entry form, filled in) or dismiss it.
 */
export function candidatesPage(
  all: readonly Candidate[],
  page: number,
  documentOf: (docId: string) => CorpusDocument | undefined,
  notice?: string,
): Reply {
  if (all.length === 0)
    return reply({
      ephemeral: true,
      content: [
        notice,
        "No possible new models or labs are waiting. Names found in documents gathered from feeds show up here.",
      ]
        .filter(Boolean)
        .join("\n"),
      components: [],
    });
  const pages = Math.ceil(all.length / CANDIDATES_PAGE_SIZE);
  const current = Math.min(Math.max(0, page), pages - 1);
  const first = current * CANDIDATES_PAGE_SIZE;
  const shown = all.slice(first, first + CANDIDATES_PAGE_SIZE);
  const fields = shown.map((c) => {
    const doc = documentOf(c.docId);
    const title = doc ? markdownLink(inert(doc.title, 150), doc.url) : inert(c.docId, 100);
    const where = [title, doc ? inert(doc.source, 100) : undefined, formatDate(c.docDate)]
      .filter(Boolean)
      .join(" · ");
    const more = c.documents > 1 ? ` · named in ${c.documents} documents` : "";
    return {
      name: truncate(squashWhitespace(c.name), LIMITS.fieldName),
      value: truncate(`> ${inert(c.sentence, QUOTE_MAX)}\n${where}${more}`, LIMITS.fieldValue),
    };
  });
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = shown
    .filter(fitsButtons)
    .map((c) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Primary,
          custom_id: candidateIds.add(c.key),
          label: truncate(`Add ${squashWhitespace(c.name)}`, LIMITS.buttonLabel),
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          custom_id: candidateIds.dismiss(c.key, current),
          label: "Dismiss",
        },
      ],
    }));
  if (pages > 1)
    rows.push(
      ...buttonRows([
        { customId: candidateIds.page(current - 1), label: "◀ Prev", disabled: current === 0 },
        {
          customId: candidateIds.page(current + 1),
          label: "Next ▶",
          disabled: current >= pages - 1,
        },
      ]),
    );
  return reply({
    ephemeral: true,
    ...(notice ? { content: notice } : {}),
    embeds: [
      {
        title: "Possible new models and labs",
        color: COLOUR,
        description:
          "Names in documents gathered from feeds that match no entry in this server's catalogue. **Add** opens the entry form filled in; **Dismiss** hides the name in this server.",
        fields,
        footer: {
          text: `${first + 1}–${first + shown.length} of ${all.length} · newest first`,
        },
      },
    ],
    components: rows,
  });
}
