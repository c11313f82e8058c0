import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
} from "discord-api-types/v10";
import type { CommandCall, CommandModule, OptionValue } from "../interactions/types.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface ParsedCall {
  readonly module: CommandModule;
  readonly call: CommandCall;
}

/** The ids the CLI acts as: one member in one server, like a Discord user would be. */
export const CLI_CALLER = {
  userId: "100000000000000001",
  guildId: "100000000000000002",
  channelId: "100000000000000003",
};

/**
 * Reads `<command> [subcommand] name:value ...` against the command's own definition, so the
 * CLI accepts exactly what Discord would.
 */
export function parseCommandLine(
  words: readonly string[],
  registry: ReadonlyMap<string, CommandModule>,
): ParsedCall {
  const [name, ...rest] = words;
  const module = name ? registry.get(name) : undefined;
  if (!name || !module) {
    throw new UsageError(name ? `unknown command "${name}"` : "no command given");
  }
  let options: readonly APIApplicationCommandOption[] = module.definition.options ?? [];
  let subcommand: string | undefined;
  const subcommands = options.filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
  if (subcommands.length > 0) {
    const sub = subcommands.find((s) => s.name === rest[0]);
    if (!sub)
      throw new UsageError(
        `${name} needs a subcommand: ${subcommands.map((s) => s.name).join(", ")}`,
      );
    subcommand = sub.name;
    options = sub.options ?? [];
    rest.shift();
  }
  const basic = options as readonly APIApplicationCommandBasicOption[];
  const values: Record<string, OptionValue> = {};
  for (const word of rest) {
    const colon = word.indexOf(":");
    if (colon <= 0) throw new UsageError(`"${word}" is not name:value`);
    const key = word.slice(0, colon);
    const option = basic.find((o) => o.name === key);
    if (!option) {
      throw new UsageError(
        `${name} has no option "${key}"; options: ${basic.map((o) => o.name).join(", ") || "none"}`,
      );
    }
    values[key] = convert(option, word.slice(colon + 1));
  }
  for (const option of basic) {
    if (option.required && values[option.name] === undefined)
      throw new UsageError(`${name} needs ${option.name}:<value>`);
  }
  return { module, call: { command: name, subcommand, options: values, ...CLI_CALLER } };
}

function convert(option: APIApplicationCommandBasicOption, raw: string): OptionValue {
  switch (option.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const n = Number(raw);
      if (
        raw.trim() === "" ||
        !Number.isFinite(n) ||
        (option.type === ApplicationCommandOptionType.Integer && !Number.isInteger(n))
      ) {
        throw new UsageError(`${option.name} must be a number`);
      }
      return n;
    }
    case ApplicationCommandOptionType.Boolean:
      if (raw !== "true" && raw !== "false")
        throw new UsageError(`${option.name} must be true or false`);
      return raw === "true";
    default:
      return raw;
  }
}

export function usage(registry: ReadonlyMap<string, CommandModule>): string {
  const lines = [...registry.values()].map((m) => {
    const opts = (m.definition.options ?? []).map((o) =>
      o.type === ApplicationCommandOptionType.Subcommand
        ? o.name
        : "required" in o && o.required
          ? `${o.name}:<…>`
          : `[${o.name}:<…>]`,
    );
    return `  ${m.definition.name} ${opts.join(" ")}`.trimEnd();
  });
  return [
    "usage: npm run --silent cli -- <command> [subcommand] [option:value ...] [--json]",
    "       npm run --silent cli -- ingest <file> --title <title> --date <YYYY[-MM[-DD]]> [--source <name>] [--author <name>] [--url <https://…>] [--id <slug>]",
    "       npm run --silent cli -- feeds [poll | enable <url>] [--json]",
    "commands:",
    ...lines,
  ].join("\n");
}
