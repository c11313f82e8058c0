import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
} from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import type { CommandModule } from "../../src/interactions/types.js";

/**
 * Reads "/entry add kind:Model lab:moonshot" against the command's definition: the problems a
 * member would hit typing it, or none.
 */
function problemsWith(example: string, module: CommandModule): string[] {
  const [head, ...rest] = example.split(/ (?=[a-z-]+:)/);
  const [name, sub, ...junk] = head!.split(" ");
  const problems: string[] = [];
  if (name !== `/${module.definition.name}`) problems.push(`starts with ${name}`);
  if (junk.length) problems.push(`cannot read "${junk.join(" ")}"`);
  let options: readonly APIApplicationCommandOption[] = module.definition.options ?? [];
  const subcommands = options.filter((o) => o.type === ApplicationCommandOptionType.Subcommand);
  if (subcommands.length > 0) {
    const chosen = subcommands.find((s) => s.name === sub);
    if (!chosen) return [...problems, `needs a subcommand, got ${sub}`];
    options = chosen.options ?? [];
  } else if (sub) problems.push(`has no subcommand ${sub}`);
  const basic = options as readonly APIApplicationCommandBasicOption[];
  const given = new Map(
    rest.map((pair) => [pair.slice(0, pair.indexOf(":")), pair.slice(pair.indexOf(":") + 1)]),
  );
  for (const [key, value] of given) {
    const option = basic.find((o) => o.name === key);
    if (!option) problems.push(`no option ${key}`);
    else if ("choices" in option && option.choices?.length) {
      const names = option.choices.map((c) => c.name.toLowerCase());
      if (!names.includes(value.toLowerCase())) problems.push(`${key}:${value} is not a choice`);
    } else if ("max_length" in option && option.max_length && value.length > option.max_length)
      problems.push(`${key} is too long`);
  }
  for (const option of basic)
    if ("required" in option && option.required && !given.has(option.name))
      problems.push(`misses ${option.name}`);
  return problems;
}

describe("the examples /help shows", () => {
  it("GIVEN every command THEN each example is one Discord would accept", () => {
    for (const module of commands)
      for (const example of module.examples)
        expect(problemsWith(example, module), example).toEqual([]);
  });

  it("GIVEN a broken example THEN the check notices", () => {
    const search = commands.find((c) => c.definition.name === "search")!;
    expect(problemsWith("/search colour:red", search)).toEqual([
      "no option colour",
      "misses query",
    ]);
    const entry = commands.find((c) => c.definition.name === "entry")!;
    expect(problemsWith("/entry add kind:Robot", entry)).toEqual(["kind:Robot is not a choice"]);
  });
});
