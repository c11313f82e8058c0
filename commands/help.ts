import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import type { AppContext } from "../src/app/context.js";
import { UserError } from "../src/errors.js";
import { stringOption } from "../src/interactions/options.js";
import type { Caller, Choice, CommandModule } from "../src/interactions/types.js";
import { helpDetails, helpList, isModeratorCommand } from "../src/replies/help.js";
import { isModerator } from "../src/settings/permissions.js";
import { getGuildSettings } from "../src/settings/repository.js";

export const definition = {
  name: "help",
  type: ApplicationCommandType.ChatInput,
  description: "The commands you can use, each with an example (only you see it)",
  options: [
    {
      name: "command",
      description: "One command in detail: its options and examples",
      type: ApplicationCommandOptionType.String,
      autocomplete: true,
      max_length: 32,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Moderator commands are listed only to moderators, as Discord shows them only to moderators. */
async function callerIsModerator(caller: Caller, ctx: AppContext): Promise<boolean> {
  if (!caller.guildId) return false;
  return isModerator(caller, await getGuildSettings(ctx.store, caller.guildId, ctx.reportProblem));
}

const choice = (m: CommandModule): Choice => ({
  name: `/${m.definition.name} — ${m.definition.description}`.slice(0, 100),
  value: m.definition.name,
});

/**
 * /help reads every fact from the registry it is given (names, descriptions, options, examples,
 * who may use them), so it cannot drift from what is deployed.
 */
export function helpCommand(registry: () => readonly CommandModule[]): CommandModule {
  const usable = async (caller: Caller, ctx: AppContext) => {
    const moderator = await callerIsModerator(caller, ctx);
    return { moderator, modules: registry().filter((m) => moderator || !isModeratorCommand(m)) };
  };
  return {
    definition,
    examples: ["/help", "/help command:search"],
    privateReplies: true,

    async execute(call, ctx) {
      const asked = stringOption(call, "command")?.trim().replace(/^\//, "").toLowerCase();
      const { moderator, modules } = await usable(call, ctx);
      if (!asked) return helpList(modules, moderator);
      const module = registry().find((m) => m.definition.name === asked);
      if (!module) {
        throw new UserError(
          `There is no command called "${asked.slice(0, 32)}". Commands: ${modules.map((m) => `/${m.definition.name}`).join(", ")}.`,
        );
      }
      if (!modules.includes(module))
        throw new UserError(
          `\`/${module.definition.name}\` is for moderators: members with Manage Server, or the server's moderator role.`,
        );
      return helpDetails(module);
    },

    async autocomplete(call, ctx) {
      const typed = call.focused.value.trim().replace(/^\//, "").toLowerCase();
      const { modules } = await usable(call, ctx);
      return modules
        .filter((m) => m.definition.name.includes(typed))
        .sort(
          (a, b) =>
            Number(!a.definition.name.startsWith(typed)) -
            Number(!b.definition.name.startsWith(typed)),
        )
        .map(choice);
    },

    autocompleteFallback() {
      return registry()
        .filter((m) => !isModeratorCommand(m))
        .map(choice);
    },
  };
}
