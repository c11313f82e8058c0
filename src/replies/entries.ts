import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  type APIEmbedField,
  type APIModalInteractionResponseCallbackData,
  type APITextInputComponent,
} from "discord-api-types/v10";
import type { CatalogKnowledge } from "../catalog/knowledge.js";
import type { LabEntry, ModelEntry } from "../catalog/schema.js";
import { buttonRows, reply, type Reply } from "../discord/payload.js";
import {
  NAME_MAX,
  SOURCE_MAX,
  SUMMARY_MAX,
  SUMMARY_MIN,
  describeRelease,
  type EntryKind,
  type FormContext,
  type FormValues,
} from "../entries/form.js";
import type { GuildEntryState, HistoryRecord } from "../entries/repository.js";
import { safeUrl } from "../text/links.js";
import { escapeMarkdown } from "../text/markdown.js";
import { truncate } from "../text/truncate.js";

type AnyEntry = ModelEntry | LabEntry;

const MODAL_TITLE_MAX = 45;

function input(
  id: keyof FormValues,
  label: string,
  style: TextInputStyle,
  options: { required: boolean; min?: number; max: number; placeholder: string; value: string },
) {
  const component: APITextInputComponent = {
    type: ComponentType.TextInput,
    custom_id: id,
    label,
    style,
    required: options.required,
    max_length: options.max,
    placeholder: options.placeholder,
  };
  if (options.min) component.min_length = options.min;
  if (options.value) component.value = options.value.slice(0, options.max);
  return { type: ComponentType.ActionRow as const, components: [component] };
}

/** The add/edit form: five text inputs, Discord's maximum; lab and kind come from the command. */
export function entryForm(
  customId: string,
  context: FormContext,
  values: FormValues,
  currentName?: string,
): APIModalInteractionResponseCallbackData {
  const title =
    context.mode === "add"
      ? `Add a ${context.kind} to this server`
      : truncate(`Edit ${currentName ?? "entry"}`, MODAL_TITLE_MAX);
  const second =
    context.kind === "model"
      ? input("released", "Release date (optional)", TextInputStyle.Short, {
          required: false,
          max: 10,
          placeholder: "2026-02-05, or 2026-02, or 2026",
          value: values.released,
        })
      : input("country", "Country (optional)", TextInputStyle.Short, {
          required: false,
          max: 40,
          placeholder: "e.g. United States",
          value: values.country,
        });
  return {
    custom_id: customId,
    title,
    components: [
      input("name", "Name", TextInputStyle.Short, {
        required: true,
        max: NAME_MAX,
        placeholder: context.kind === "model" ? "e.g. Kimi K3" : "e.g. Moonshot AI",
        value: values.name,
      }),
      second,
      input("aliases", "Other names members type (optional)", TextInputStyle.Paragraph, {
        required: false,
        max: 1000,
        placeholder: "Comma-separated or one per line, e.g. k3, kimi 3",
        value: values.aliases,
      }),
      input("summary", "Summary", TextInputStyle.Paragraph, {
        required: true,
        min: SUMMARY_MIN,
        max: SUMMARY_MAX,
        placeholder: "Two or three sentences: what it is, who made it, why it matters.",
        value: values.summary,
      }),
      input("source", "Source: https link or exact corpus quote", TextInputStyle.Paragraph, {
        required: false,
        max: SOURCE_MAX,
        placeholder: "Optional. A quote found verbatim in the corpus is cited on the card.",
        value: values.source,
      }),
    ],
  };
}

/** What the CLI shows for a command that opens a form. */
export function formDescription(form: APIModalInteractionResponseCallbackData): Reply {
  const labels = form.components.flatMap((row) =>
    "components" in row ? row.components.map((c) => ("label" in c ? c.label : "")) : [],
  );
  return reply({
    ephemeral: true,
    content: `Opens the form "${form.title}": ${labels.join("; ")}.`,
  });
}

export function savedReply(
  action: "add" | "edit" | "revert",
  state: GuildEntryState,
  card: Reply,
): Reply {
  const entry = state.entry!;
  const what = state.kind === "model" ? "/model" : "/lab";
  const verb = { add: "Added", edit: "Saved", revert: "Restored" }[action];
  const when = describeRelease(entry);
  return reply({
    ephemeral: true,
    content:
      `${verb} **${escapeMarkdown(entry.name)}** in this server's catalogue (version ${state.version})` +
      `${when ? `, released ${when}` : ""}. Members see it in ${what} and autocomplete now.` +
      ` Undo with \`/entry revert\`.`,
    embeds: card.payload.embeds,
  });
}

export function formErrorReply(message: string, retryId: string | undefined): Reply {
  return reply({
    ephemeral: true,
    content: message,
    components: retryId
      ? buttonRows([
          {
            customId: `entry:retry:${retryId}`,
            label: "Edit and try again",
            style: ButtonStyle.Primary,
          },
        ])
      : [],
  });
}

/** An unknown lab: say so, and offer to add it with its name filled in. */
export function unknownLabReply(typed: string, newLabId: string, suggestions: string[]): Reply {
  const shown = escapeMarkdown(truncate(typed, 60));
  return reply({
    ephemeral: true,
    content:
      `There is no lab called **${shown}** in this server's catalogue.` +
      (suggestions.length
        ? ` Did you mean ${suggestions.map((s) => escapeMarkdown(s)).join(", ")}?`
        : "") +
      " Pick one from the list, or add the lab first.",
    components: buttonRows([
      {
        customId: `entry:newlab:${newLabId}`,
        label: `Add lab "${truncate(typed, 50)}"`,
        style: ButtonStyle.Primary,
      },
    ]),
  });
}

export function removeConfirmation(entry: AnyEntry, kind: EntryKind, dependents: number): Reply {
  const name = escapeMarkdown(entry.name);
  const warning =
    dependents > 0
      ? ` ${dependents} model${dependents === 1 ? " names" : "s name"} this lab; ${dependents === 1 ? "it" : "they"} will show its id instead.`
      : "";
  return reply({
    ephemeral: true,
    content: `Remove the ${kind} **${name}** from this server's catalogue? Other servers keep it, and \`/entry revert\` can bring it back.${warning}`,
    components: buttonRows([
      {
        customId: `entry:remove:${entry.id}`,
        label: `Remove ${truncate(entry.name, 60)}`,
        style: ButtonStyle.Danger,
      },
      { customId: "entry:cancel", label: "Cancel" },
    ]),
  });
}

export function removedReply(entry: AnyEntry, state: GuildEntryState): Reply {
  return {
    update: true,
    payload: reply({
      content: `Removed **${escapeMarkdown(entry.name)}** from this server's catalogue (version ${state.version}). Bring it back with \`/entry revert version:${state.version - 1}\`.`,
      components: [],
    }).payload,
  };
}

type FieldView = Record<string, string>;

/** The fields a moderator can see change, as display text. */
function viewOf(entry: AnyEntry | undefined, knowledge: Pick<CatalogKnowledge, "get">): FieldView {
  if (!entry) return {};
  const view: FieldView = {
    Name: entry.name,
    "Other names": entry.aliases.join(", "),
    Summary: entry.summary,
    Links: (entry.links ?? []).map((l) => safeUrl(l.url) ?? l.url).join(" "),
    Highlights: entry.highlights.length ? String(entry.highlights.length) : "",
  };
  if ("labs" in entry) {
    view.Lab = entry.labs.value.map((id) => knowledge.get(id)?.entry.name ?? id).join(", ");
    view.Released = describeRelease(entry) ?? "";
  } else {
    view.Kind = entry.kind.value;
    view.Country = entry.country?.value ?? "";
    view.Parent = entry.parent
      ? (knowledge.get(entry.parent.value)?.entry.name ?? entry.parent.value)
      : "";
  }
  return view;
}

const shown = (text: string) => (text ? `“${escapeMarkdown(truncate(text, 120))}”` : "—");

function diffLines(before: FieldView, after: FieldView): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => (before[k] ?? "") !== (after[k] ?? ""))
    .map((k) => `**${k}**: ${shown(before[k] ?? "")} → ${shown(after[k] ?? "")}`);
}

const HISTORY_SHOWN = 10;

/** Who changed what and when, newest first, with before and after per field. */
export function historyReply(
  name: string,
  records: readonly HistoryRecord[],
  shipped: AnyEntry | undefined,
  knowledge: Pick<CatalogKnowledge, "get">,
): Reply {
  if (records.length === 0) {
    return reply({
      ephemeral: true,
      content: `**${escapeMarkdown(name)}** has not been changed in this server${shipped ? "; it is as shipped" : ""}.`,
    });
  }
  const fields: APIEmbedField[] = [];
  for (let i = records.length - 1; i >= 0 && fields.length < HISTORY_SHOWN; i--) {
    const record = records[i]!;
    const previous = i > 0 ? records[i - 1]!.after.entry : shipped;
    const lines =
      record.action === "remove"
        ? ["Removed from this server."]
        : diffLines(viewOf(previous, knowledge), viewOf(record.after.entry, knowledge));
    const when = Math.floor(Date.parse(record.at) / 1000);
    const label = {
      add: "added",
      edit: "edited",
      remove: "removed",
      revert: `reverted to v${record.revertedTo}`,
    }[record.action];
    fields.push({
      name: `v${record.version} · ${label}`,
      value: truncate(
        [
          `by <@${record.by}> · <t:${when}:f>`,
          ...(lines.length ? lines : ["No visible change."]),
        ].join("\n"),
        1000,
      ),
    });
  }
  const hidden = records.length - fields.length;
  return reply({
    ephemeral: true,
    embeds: [
      {
        title: truncate(`History of ${name} in this server`, 256),
        description:
          (shipped ? "v0 is the entry as shipped. " : "") +
          "Restore any version with `/entry revert`." +
          (hidden > 0 ? ` ${hidden} older version${hidden === 1 ? "" : "s"} not shown.` : ""),
        fields,
      },
    ],
  });
}
