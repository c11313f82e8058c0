import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
} from "discord-api-types/v10";
import { reply, type Reply } from "../discord/payload.js";
import type { CommandModule } from "../interactions/types.js";

const COLOUR = 0x5865f2;

/** Registered for Manage Server: Discord hides these from other members. */
export function isModeratorCommand(module: CommandModule): boolean {
  return module.definition.default_member_permissions != null;
}

const code = (text: string) => `\`${text.replaceAll("`", "'")}\``;

/** Every command the member can use, each with its first example. */
export function helpList(modules: readonly CommandModule[], moderator: boolean): Reply {
  const line = (m: CommandModule) =>
    `**/${m.definition.name}** — ${m.definition.description}\n${code(m.examples[0])}`;
  const everyone = modules.filter((m) => !isModeratorCommand(m));
  const forModerators = moderator ? modules.filter(isModeratorCommand) : [];
  const sections = [everyone.map(line).join("\n")];
  if (forModerators.length > 0)
    sections.push(`__For moderators__\n${forModerators.map(line).join("\n")}`);
  return reply({
    ephemeral: true,
    embeds: [
      {
        title: "modeldex commands",
        color: COLOUR,
        description: sections.join("\n\n"),
        footer: {
          text: "/help command:<name> shows a command's options and more examples.",
        },
      },
    ],
  });
}

function optionLine(option: APIApplicationCommandBasicOption): string {
  const required = "required" in option && option.required ? " (required)" : "";
  const line = `${code(option.name)}${required} — ${option.description}`;
  if (!("choices" in option) || !option.choices?.length) return line;
  const stop = /[.!?]$/.test(line) ? "" : ".";
  return `${line}${stop} One of: ${option.choices.map((c) => c.name).join(", ")}.`;
}

function optionLines(options: readonly APIApplicationCommandOption[] | undefined): string {
  const basic = (options ?? []) as readonly APIApplicationCommandBasicOption[];
  return basic.length > 0 ? basic.map(optionLine).join("\n") : "No options.";
}

/** One command in full, read from its definition: subcommands, options, examples, who may use it. */
export function helpDetails(module: CommandModule): Reply {
  const { definition } = module;
  const subcommands = (definition.options ?? []).filter(
    (o) => o.type === ApplicationCommandOptionType.Subcommand,
  );
  const fields =
    subcommands.length > 0
      ? subcommands.map((sub) => ({
          name: `/${definition.name} ${sub.name}`,
          value: `${sub.description}\n${"options" in sub ? optionLines(sub.options) : "No options."}`,
        }))
      : [{ name: "Options", value: optionLines(definition.options) }];
  fields.push({ name: "Examples", value: module.examples.map(code).join("\n") });
  const who = isModeratorCommand(module)
    ? "For moderators: members with Manage Server, or the role set with `/config moderator-role`."
    : "For everyone.";
  return reply({
    ephemeral: true,
    embeds: [
      {
        title: `/${definition.name}`,
        color: COLOUR,
        description: `${definition.description}\n\n${who}`,
        fields,
      },
    ],
  });
}
