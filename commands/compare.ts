import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { requiredString } from "../src/interactions/options.js";
import type { CommandModule } from "../src/interactions/types.js";
import { compareCard } from "../src/replies/catalog.js";
import { choicesFor, lookUp } from "./catalog-shared.js";

const modelOption = (name: string, description: string) =>
  ({
    name,
    description,
    type: ApplicationCommandOptionType.String,
    required: true,
    autocomplete: true,
    max_length: 100,
  }) as const;

export const definition = {
  name: "compare",
  type: ApplicationCommandType.ChatInput,
  description: "Two models side by side, field by field",
  options: [modelOption("a", "The first model"), modelOption("b", "The second model")],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const compare: CommandModule = {
  definition,
  async execute(call, ctx) {
    const [a, b] = ["a", "b"].map((o) => ({
      typed: requiredString(call, o),
      entry: ctx.catalog.models.resolve(requiredString(call, o)),
    }));
    for (const side of [a!, b!]) {
      if (!side.entry) return lookUp("model", ctx.catalog.models, side.typed, ctx);
    }
    if (a!.entry!.kind !== "model" || b!.entry!.kind !== "model")
      return lookUp("model", ctx.catalog.models, a!.typed, ctx);
    return compareCard(a!.entry!.entry, b!.entry!.entry, ctx.catalog);
  },
  async autocomplete(call, ctx) {
    return choicesFor(ctx.catalog.models, call.focused.value, ctx);
  },
  autocompleteFallback(ctx) {
    return choicesFor(ctx.catalog.models, "", ctx);
  },
};
