import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { catalogCommand } from "./catalog-shared.js";

export const definition = {
  name: "model",
  type: ApplicationCommandType.ChatInput,
  description: "What is this model? Lab, release, access, size, highlights with sources",
  options: [
    {
      name: "name",
      description: "The model, e.g. Claude Opus 4.5, nemotron cascade, k2 thinking",
      type: ApplicationCommandOptionType.String,
      required: true,
      autocomplete: true,
      max_length: 100,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const model = catalogCommand("model", definition, [
  "/model name:nemotrn cascade",
  "/model name:opus 4.5",
]);
