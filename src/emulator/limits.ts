import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIAllowedMentions,
  type APIApplicationCommandOptionChoice,
  type APIEmbed,
} from "discord-api-types/v10";

/**
 * Discord's documented limits, as the emulator enforces them. Written out here rather than taken
 * from the bot's own table, so that a wrong number there fails the tests instead of passing them.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceValue: 100,
  modalTitle: 45,
  modalComponents: 5,
  textInputLabel: 45,
  labelText: 45,
  textInputValue: 4000,
  textInputPlaceholder: 100,
} as const;

/** What a message-like body (channel message, webhook message, callback data) may carry. */
export interface MessageBodyLike {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: unknown[] | null;
  flags?: number | null;
  allowed_mentions?: APIAllowedMentions | null;
}

/**
 * The outcome of a check: `hard` problems are ones Discord refuses with 400 Invalid Form Body;
 * `soft` ones it accepts but the project forbids (missing `allowed_mentions: { parse: [] }`).
 */
export interface CheckResult {
  hard: string[];
  soft: string[];
}

const len = (s: string | null | undefined): number => (s ?? "").length;

function tooLong(
  out: string[],
  what: string,
  value: string | null | undefined,
  max: number,
  min = 0,
): void {
  const n = len(value);
  if (n > max) out.push(`${what} is ${n} characters (max ${max})`);
  else if (n < min) out.push(`${what} is ${n} characters (min ${min})`);
}

export function checkEmbeds(embeds: readonly APIEmbed[], out: string[]): void {
  if (embeds.length > DISCORD_LIMITS.embeds) {
    out.push(`${embeds.length} embeds (max ${DISCORD_LIMITS.embeds})`);
  }
  let total = 0;
  embeds.forEach((embed, i) => {
    const at = `embeds[${i}]`;
    tooLong(out, `${at}.title`, embed.title, DISCORD_LIMITS.embedTitle);
    tooLong(out, `${at}.description`, embed.description, DISCORD_LIMITS.embedDescription);
    tooLong(out, `${at}.footer.text`, embed.footer?.text, DISCORD_LIMITS.footerText);
    tooLong(out, `${at}.author.name`, embed.author?.name, DISCORD_LIMITS.authorName);
    const fields = embed.fields ?? [];
    if (fields.length > DISCORD_LIMITS.embedFields) {
      out.push(`${at} has ${fields.length} fields (max ${DISCORD_LIMITS.embedFields})`);
    }
    fields.forEach((field, j) => {
      tooLong(out, `${at}.fields[${j}].name`, field.name, DISCORD_LIMITS.fieldName, 1);
      tooLong(out, `${at}.fields[${j}].value`, field.value, DISCORD_LIMITS.fieldValue, 1);
      total += len(field.name) + len(field.value);
    });
    total +=
      len(embed.title) + len(embed.description) + len(embed.footer?.text) + len(embed.author?.name);
  });
  if (total > DISCORD_LIMITS.embedTotal) {
    out.push(`embeds total ${total} characters (max ${DISCORD_LIMITS.embedTotal})`);
  }
}

interface LooseComponent {
  type?: number;
  custom_id?: string;
  label?: string | null;
  style?: number;
  url?: string;
  sku_id?: string;
  options?: { label?: string; value?: string; description?: string }[];
  placeholder?: string;
  components?: LooseComponent[];
  component?: LooseComponent;
  accessory?: LooseComponent;
  disabled?: boolean;
  min_length?: number;
  max_length?: number;
  value?: string;
  description?: string;
}

function checkCustomId(c: LooseComponent, at: string, seen: Set<string>, out: string[]): void {
  if (c.custom_id === undefined) return;
  tooLong(out, `${at}.custom_id`, c.custom_id, DISCORD_LIMITS.customId, 1);
  if (seen.has(c.custom_id)) out.push(`${at}.custom_id "${c.custom_id}" is used twice`);
  seen.add(c.custom_id);
}

function checkInteractive(c: LooseComponent, at: string, seen: Set<string>, out: string[]): void {
  switch (c.type) {
    case ComponentType.Button: {
      tooLong(out, `${at}.label`, c.label, DISCORD_LIMITS.buttonLabel);
      const link = c.style === ButtonStyle.Link || c.style === ButtonStyle.Premium;
      if (!link && c.custom_id === undefined) out.push(`${at} (button) has no custom_id`);
      if (c.style === ButtonStyle.Link && !c.url) out.push(`${at} (link button) has no url`);
      if (!link && !c.label && !("emoji" in c)) out.push(`${at} (button) has no label or emoji`);
      break;
    }
    case ComponentType.StringSelect: {
      const options = c.options ?? [];
      if (options.length > DISCORD_LIMITS.selectOptions) {
        out.push(`${at} has ${options.length} options (max ${DISCORD_LIMITS.selectOptions})`);
      }
      if (options.length === 0) out.push(`${at} (select) has no options`);
      const values = new Set<string>();
      options.forEach((o, i) => {
        tooLong(out, `${at}.options[${i}].label`, o.label, DISCORD_LIMITS.selectOptionText, 1);
        tooLong(out, `${at}.options[${i}].value`, o.value, DISCORD_LIMITS.selectOptionText, 1);
        tooLong(
          out,
          `${at}.options[${i}].description`,
          o.description,
          DISCORD_LIMITS.selectOptionText,
        );
        if (o.value !== undefined && values.has(o.value)) {
          out.push(`${at}.options[${i}].value "${o.value}" is used twice`);
        }
        if (o.value !== undefined) values.add(o.value);
      });
      tooLong(out, `${at}.placeholder`, c.placeholder, DISCORD_LIMITS.selectPlaceholder);
      break;
    }
    case ComponentType.UserSelect:
    case ComponentType.RoleSelect:
    case ComponentType.MentionableSelect:
    case ComponentType.ChannelSelect:
      tooLong(out, `${at}.placeholder`, c.placeholder, DISCORD_LIMITS.selectPlaceholder);
      break;
    default:
      break;
  }
  checkCustomId(c, at, seen, out);
}

/** Walks message components (classic action rows, or Components V2 layouts). */
export function checkMessageComponents(
  components: readonly unknown[],
  flags: number,
  out: string[],
): void {
  const seen = new Set<string>();
  const list = components as LooseComponent[];
  if ((flags & MessageFlags.IsComponentsV2) !== 0) {
    const walk = (c: LooseComponent, at: string): void => {
      checkInteractive(c, at, seen, out);
      c.components?.forEach((child, i) => walk(child, `${at}.components[${i}]`));
      if (c.accessory) walk(c.accessory, `${at}.accessory`);
      if (c.component) walk(c.component, `${at}.component`);
    };
    list.forEach((c, i) => walk(c, `components[${i}]`));
    return;
  }
  if (list.length > DISCORD_LIMITS.actionRows) {
    out.push(`${list.length} action rows (max ${DISCORD_LIMITS.actionRows})`);
  }
  list.forEach((row, i) => {
    const at = `components[${i}]`;
    if (row.type !== ComponentType.ActionRow) {
      out.push(`${at} is of type ${row.type}, not an action row`);
      return;
    }
    const children = row.components ?? [];
    if (children.length === 0) out.push(`${at} is an empty action row`);
    const buttons = children.filter((c) => c.type === ComponentType.Button).length;
    if (buttons > DISCORD_LIMITS.buttonsPerRow) {
      out.push(`${at} has ${buttons} buttons (max ${DISCORD_LIMITS.buttonsPerRow})`);
    }
    if (buttons > 0 && buttons !== children.length) {
      out.push(`${at} mixes buttons and a select menu`);
    }
    if (buttons === 0 && children.length > 1) out.push(`${at} has more than one select menu`);
    children.forEach((c, j) => checkInteractive(c, `${at}.components[${j}]`, seen, out));
  });
}

function hasVisibleText(body: MessageBodyLike): boolean {
  return (
    (typeof body.content === "string" && body.content.length > 0) ||
    (Array.isArray(body.embeds) && body.embeds.length > 0)
  );
}

/** Checks a message-like body against Discord's limits and the project's mention rule. */
export function checkMessageBody(body: MessageBodyLike): CheckResult {
  const hard: string[] = [];
  const soft: string[] = [];
  if (typeof body.content === "string")
    tooLong(hard, "content", body.content, DISCORD_LIMITS.content);
  if (Array.isArray(body.embeds)) checkEmbeds(body.embeds, hard);
  if (Array.isArray(body.components)) {
    checkMessageComponents(body.components, body.flags ?? 0, hard);
  }
  if (hasVisibleText(body)) {
    const parse = body.allowed_mentions?.parse;
    if (!Array.isArray(parse) || parse.length !== 0) {
      soft.push(
        `allowed_mentions is ${JSON.stringify(body.allowed_mentions ?? null)}; expected { parse: [] }`,
      );
    }
  }
  return { hard, soft };
}

export function checkAutocompleteChoices(
  choices: readonly APIApplicationCommandOptionChoice[],
): string[] {
  const out: string[] = [];
  if (choices.length > DISCORD_LIMITS.autocompleteChoices) {
    out.push(`${choices.length} autocomplete choices (max ${DISCORD_LIMITS.autocompleteChoices})`);
  }
  choices.forEach((choice, i) => {
    tooLong(out, `choices[${i}].name`, choice.name, DISCORD_LIMITS.choiceName, 1);
    if (typeof choice.value === "string") {
      tooLong(out, `choices[${i}].value`, choice.value, DISCORD_LIMITS.choiceValue);
    }
  });
  return out;
}

/** A modal: title, custom ids, at most five top-level components, labels, text inputs. */
export function checkModal(modal: {
  title?: string;
  custom_id?: string;
  components?: unknown[];
}): string[] {
  const out: string[] = [];
  tooLong(out, "modal title", modal.title, DISCORD_LIMITS.modalTitle, 1);
  tooLong(out, "modal custom_id", modal.custom_id, DISCORD_LIMITS.customId, 1);
  const list = (modal.components ?? []) as LooseComponent[];
  if (list.length === 0) out.push("modal has no components");
  if (list.length > DISCORD_LIMITS.modalComponents) {
    out.push(`modal has ${list.length} components (max ${DISCORD_LIMITS.modalComponents})`);
  }
  const seen = new Set<string>();
  const input = (c: LooseComponent, at: string, legacyLabel: boolean): void => {
    checkCustomId(c, at, seen, out);
    if (c.type === ComponentType.TextInput) {
      if (legacyLabel) tooLong(out, `${at}.label`, c.label, DISCORD_LIMITS.textInputLabel, 1);
      tooLong(out, `${at}.value`, c.value, DISCORD_LIMITS.textInputValue);
      tooLong(out, `${at}.placeholder`, c.placeholder, DISCORD_LIMITS.textInputPlaceholder);
      if ((c.max_length ?? 4000) > 4000) out.push(`${at}.max_length is over 4000`);
    } else if (c.type === ComponentType.StringSelect) {
      checkInteractive({ ...c, custom_id: undefined }, at, seen, out);
    }
  };
  list.forEach((c, i) => {
    const at = `modal.components[${i}]`;
    if (c.type === ComponentType.ActionRow) {
      const children = c.components ?? [];
      if (children.length !== 1) out.push(`${at} must hold exactly one input`);
      children.forEach((child, j) => input(child, `${at}.components[${j}]`, true));
    } else if (c.type === ComponentType.Label) {
      tooLong(out, `${at}.label`, c.label, DISCORD_LIMITS.labelText, 1);
      if (c.component) input(c.component, `${at}.component`, false);
      else out.push(`${at} (label) wraps no component`);
    } else if (c.type !== ComponentType.TextDisplay) {
      out.push(`${at} is of type ${c.type}, not allowed at the top of a modal`);
    }
  });
  return out;
}
