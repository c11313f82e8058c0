import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { REST } from "discord.js";
import { Routes, type RESTPostAPIApplicationCommandsJSONBody } from "discord-api-types/v10";
import type { Coordination } from "../store/coordination.js";
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

/** Where the hash of the last deployment to a place is kept. */
function deployKey(target: DeployTarget): string {
  return `deploy:${target.applicationId}:${target.guildId ? `guild:${target.guildId}` : "global"}`;
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
  await store.set(deployKey(target), definitionsHash(definitions));
}

/** How long a process deploying the commands holds its claim, should it die meanwhile. */
const DEPLOY_LEASE_MS = 30_000;
/** How long the others wait for it before giving up. */
const DEPLOY_WAIT_MS = 60_000;

export type DeployOutcome = "deployed" | "up-to-date" | "deployed-elsewhere";

/**
 * Deploys only when the definitions differ from the last deployment to the same place, and once
 * however many processes start together: the one that claims the deployment in the store
 * deploys; the others wait until the store records it.
 */
export async function deployIfChanged(
  rest: REST,
  target: DeployTarget,
  definitions: readonly RESTPostAPIApplicationCommandsJSONBody[],
  store: KeyValueStore,
  coordination: Coordination,
): Promise<DeployOutcome> {
  const key = deployKey(target);
  const hash = definitionsHash(definitions);
  const deployed = async () => (await store.get<string>(key)) === hash;
  if (await deployed()) return "up-to-date";
  const owner = randomUUID();
  const waitUntil = performance.now() + DEPLOY_WAIT_MS;
  for (;;) {
    if (await coordination.claimLease(key, owner, DEPLOY_LEASE_MS)) {
      try {
        if (await deployed()) return "deployed-elsewhere";
        await deployCommands(rest, target, definitions, store);
        return "deployed";
      } finally {
        await coordination.releaseLease(key, owner).catch(() => undefined);
      }
    }
    await sleep(250);
    if (await deployed()) return "deployed-elsewhere";
    if (performance.now() > waitUntil)
      throw new Error(
        `another process has been deploying the commands for ${DEPLOY_WAIT_MS / 1000} s without finishing`,
      );
  }
}
