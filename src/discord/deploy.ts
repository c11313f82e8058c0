import { createHash } from "node:crypto";
import type { REST } from "discord.js";
import { Routes, type RESTPostAPIApplicationCommandsJSONBody } from "discord-api-types/v10";
import type { KeyValueStore } from "../store/keyv.js";

export interface DeployTarget {
  readonly applicationId: string;
  /** Set for a development server (instant); unset deploys globally. */
  readonly guildId?: string;
}

export function definitionsHash(
  definitions: readonly RESTPostAPIApplicationCommandsJSONBody[],
): string {
  return createHash("sha256").update(JSON.stringify(definitions)).digest("hex");
}

function scope(target: DeployTarget): string {
  return target.guildId ? `guild:${target.guildId}` : "global";
}

/** Registers every definition with one bulk overwrite, then remembers what was deployed. */
export async function deployCommands(
  rest: REST,
  target: DeployTarget,
  definitions: readonly RESTPostAPIApplicationCommandsJSONBody[],
  store: KeyValueStore,
): Promise<void> {
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
  await rest.put(route, { body: definitions });
  await store.set(`deploy:${target.applicationId}:${scope(target)}`, definitionsHash(definitions));
}

/** Deploys only when the definitions differ from the last deployment to the same place. */
export async function deployIfChanged(
  rest: REST,
  target: DeployTarget,
  definitions: readonly RESTPostAPIApplicationCommandsJSONBody[],
  store: KeyValueStore,
): Promise<boolean> {
  const last = await store.get<string>(`deploy:${target.applicationId}:${scope(target)}`);
  if (last === definitionsHash(definitions)) return false;
  await deployCommands(rest, target, definitions, store);
  return true;
}
