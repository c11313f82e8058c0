import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { requiredString } from "../src/interactions/options.js";
import type { CommandModule } from "../src/interactions/types.js";
import { compareCard } from "../src/replies/catalog.js";
import type { ModelEntry } from "../src/catalog/schema.js";
import { answerFor, choicesFor, knowledgeFor } from "./catalog-shared.js";

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
      return { typed, resolution: knowledge.models.lookUp(typed) };
    });
    const models: ModelEntry[] = [];
    for (const { typed, resolution } of sides) {
      if (resolution.status !== "found" || resolution.entry.kind !== "model")
        return answerFor("model", resolution, knowledge, typed, ctx);
      models.push(resolution.entry.entry);
    }
    const [a, b] = models;
    return compareCard(a!, b!, knowledge);
  },
  async autocomplete(call, ctx) {
    return choicesFor(await knowledgeFor(call, ctx), "compare", call.focused.value);
  },
  autocompleteFallback(ctx) {
    return choicesFor(ctx.catalog, "compare", "");
  },
};
