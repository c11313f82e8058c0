import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { catalogCommand } from "./catalog-shared.js";

export const definition = {
  name: "lab",
  type: ApplicationCommandType.ChatInput,
  description: "What has this lab released? Its models, newest first, with sources",
  options: [
    {
      name: "name",
      description: "The lab, e.g. Anthropic, Moonshot AI, Allen Institute",
      type: ApplicationCommandOptionType.String,
      required: true,
      autocomplete: true,
      max_length: 100,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const lab = catalogCommand("lab", definition, ["/lab name:allen institute"]);
