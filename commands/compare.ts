import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { requiredString } from "../src/interactions/options.js";
import type { CommandModule } from "../src/interactions/types.js";
import { compareCard } from "../src/replies/catalog.js";
import type { ModelEntry } from "../src/catalog/schema.js";
import { choicesFor, knowledgeFor, lookUp } from "./catalog-shared.js";

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
  examples: ["/compare a:opus 4.5 b:gpt 5.4 mini"],
  async execute(call, ctx) {
    const knowledge = await knowledgeFor(call, ctx);
    const sides = ["a", "b"].map((option) => {
      const typed = requiredString(call, option);
      return { typed, entry: knowledge.models.resolve(typed) };
    });
    for (const side of sides) {
      if (side.entry?.kind !== "model") return lookUp("model", knowledge, side.typed, ctx);
    }
    const [a, b] = sides.map((s) => s.entry!.entry as ModelEntry);
    return compareCard(a!, b!, knowledge);
  },
  async autocomplete(call, ctx) {
    return choicesFor(await knowledgeFor(call, ctx), "model", call.focused.value);
  },
  autocompleteFallback(ctx) {
    return choicesFor(ctx.catalog, "model", "");
  },
};
