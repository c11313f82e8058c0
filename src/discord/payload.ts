import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  type APIMessageTopLevelComponent,
  type APIModalInteractionResponseCallbackData,
} from "discord-api-types/v10";
import { truncate } from "../text/truncate.js";
import { LIMITS } from "./limits.js";

/** What every reply builder returns: the JSON body the bot sends, ready for Discord. */
export interface MessagePayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessageTopLevelComponent[];
  allowed_mentions: { parse: [] };
  flags?: number;
  /** Attachments, sent as files (an export, say). */
  files?: Array<{ name: string; data: string }>;
}

/** What a public answer shows, so a bookmark reaction on it can save that. */
export interface AnswerMeta {
  readonly title: string;
  readonly entry?: { kind: "model" | "lab" | "family" | "product"; id: string };
  readonly query?: string;
}

export interface Reply {
  /** The message; for a form, a description of it (what the CLI prints). */
  readonly payload: MessagePayload;
  /** For component interactions: edit the message the component is on instead of replying. */
  readonly update?: boolean;
  /** Open this form instead of replying. */
  readonly modal?: APIModalInteractionResponseCallbackData;
  /** Set on public answers members may bookmark: the bot adds its bookmark reaction to them. */
  readonly answer?: AnswerMeta;
  /** Set by the error boundary: the input was refused, or the command failed (with the logged id). */
  readonly failure?: { readonly kind: "rejected" | "failed"; readonly errorId?: string };
}

export interface MessageOptions {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessageTopLevelComponent[];
  ephemeral?: boolean;
  files?: Array<{ name: string; data: string }>;
}

/** Builds a payload that fits Discord's limits and can never ping anyone. */
export function message(options: MessageOptions): MessagePayload {
  const payload: MessagePayload = { allowed_mentions: { parse: [] } };
  if (options.content !== undefined) payload.content = truncate(options.content, LIMITS.content);
  if (options.embeds) payload.embeds = fitEmbeds(options.embeds);
  if (options.components) payload.components = options.components;
  if (options.ephemeral) payload.flags = MessageFlags.Ephemeral;
  if (options.files) payload.files = options.files;
  return payload;
}

export function reply(options: MessageOptions): Reply {
  return { payload: message(options) };
}

export function ephemeral(content: string): Reply {
  return reply({ content, ephemeral: true });
}

export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/**
 * Trims every part to its own limit, then drops trailing fields and shortens descriptions
 * until all embeds together fit the 6000-character total.
 */
export function fitEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  const fitted = embeds.slice(0, LIMITS.embedsPerMessage).map(fitEmbed);
  const total = () => fitted.reduce((n, e) => n + embedLength(e), 0);
  for (let i = fitted.length - 1; i >= 0 && total() > LIMITS.embedTotal; i--) {
    const embed = fitted[i]!;
    while ((embed.fields?.length ?? 0) > 0 && total() > LIMITS.embedTotal) embed.fields!.pop();
    const excess = total() - LIMITS.embedTotal;
    if (excess > 0 && embed.description) {
      embed.description = truncate(
        embed.description,
        Math.max(1, embed.description.length - excess),
      );
    }
  }
  return fitted;
}

function fitEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, LIMITS.embedTitle);
  if (out.description !== undefined)
    out.description = truncate(out.description, LIMITS.embedDescription);
  if (out.footer)
    out.footer = { ...out.footer, text: truncate(out.footer.text, LIMITS.footerText) };
  if (out.author)
    out.author = { ...out.author, name: truncate(out.author.name, LIMITS.authorName) };
  if (out.fields) out.fields = out.fields.slice(0, LIMITS.embedFields).map(fitField);
  return out;
}

function fitField(field: APIEmbedField): APIEmbedField {
  return {
    ...field,
    name: truncate(field.name, LIMITS.fieldName) || "\u200b",
    value: truncate(field.value, LIMITS.fieldValue) || "\u200b",
  };
}

export interface ButtonSpec {
  customId: string;
  label: string;
  style?: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger;
  disabled?: boolean;
}

/** Rows of up to five buttons; custom ids longer than Discord allows are a programming error. */
export function buttonRows(
  buttons: ButtonSpec[],
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (
    let i = 0;
    i < buttons.length && rows.length < LIMITS.actionRows;
    i += LIMITS.buttonsPerRow
  ) {
    rows.push({
      type: ComponentType.ActionRow,
      components: buttons.slice(i, i + LIMITS.buttonsPerRow).map((b): APIButtonComponent => {
        if (b.customId.length > LIMITS.customId)
          throw new Error(`custom id too long: ${b.customId}`);
        return {
          type: ComponentType.Button,
          style: b.style ?? ButtonStyle.Secondary,
          custom_id: b.customId,
          label: truncate(b.label, LIMITS.buttonLabel),
          disabled: b.disabled ?? false,
        };
      }),
    });
  }
  return rows;
}

/**
 * "◀ Prev" and "Next ▶" for page `current` of `pages` (0-based), with extra buttons after them;
 * no row at all when everything fits on one page and there are no extras.
 */
export function pagerButtons(
  customIdFor: (page: number) => string,
  current: number,
  pages: number,
): ButtonSpec[] {
  if (pages <= 1) return [];
  return [
    { customId: customIdFor(current - 1), label: "◀ Prev", disabled: current === 0 },
    { customId: customIdFor(current + 1), label: "Next ▶", disabled: current >= pages - 1 },
  ];
}
