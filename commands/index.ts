import type { CommandModule } from "../src/interactions/types.js";
import { about } from "./about.js";
import { bookmarks } from "./bookmarks.js";
import { compare } from "./compare.js";
import { config } from "./config.js";
import { entry } from "./entry.js";
import { helpCommand } from "./help.js";
import { lab } from "./lab.js";
import { model } from "./model.js";
import { recap } from "./recap.js";
import { recapConfig } from "./recap-config.js";
import { search } from "./search.js";

/** Every slash command, read by both the deploy script and the interaction router. */
export const commands: readonly CommandModule[] = [
  model,
  lab,
  compare,
  search,
  recap,
  bookmarks,
  entry,
  config,
  recapConfig,
  helpCommand(() => commands),
  about,
];

export const commandsByName: ReadonlyMap<string, CommandModule> = new Map(
  commands.map((c) => [c.definition.name, c]),
);

export function commandDefinitions() {
  return commands.map((c) => c.definition);
}
