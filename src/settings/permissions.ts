import { UserError } from "../errors.js";
import type { Caller } from "../interactions/types.js";
import type { GuildSettings } from "./repository.js";

const ADMINISTRATOR = 1n << 3n;
export const MANAGE_GUILD = 1n << 5n;

/** Registered on moderator commands, so members without Manage Server do not see them. */
export const MANAGE_GUILD_PERMISSION = String(MANAGE_GUILD);

function has(permissions: bigint | undefined, flag: bigint): boolean {
  return (
    permissions !== undefined &&
    ((permissions & ADMINISTRATOR) !== 0n || (permissions & flag) !== 0n)
  );
}

export function canManageServer(caller: Caller): boolean {
  return has(caller.permissions, MANAGE_GUILD);
}

/** Manage Server, or the server's moderator role. Checked on every call: permissions change. */
export function isModerator(caller: Caller, settings: GuildSettings): boolean {
  return (
    canManageServer(caller) ||
    (!!settings.moderatorRoleId && (caller.roleIds ?? []).includes(settings.moderatorRoleId))
  );
}

export function requireGuild(caller: Caller): string {
  if (!caller.guildId)
    throw new UserError("This command works in a server, not in direct messages.");
  return caller.guildId;
}

export function requireModerator(caller: Caller, settings: GuildSettings): void {
  if (!isModerator(caller, settings)) {
    throw new UserError(
      settings.moderatorRoleId
        ? `Only members with Manage Server or the <@&${settings.moderatorRoleId}> role can do this.`
        : "Only members with Manage Server can do this (a moderator role can be set with `/config moderator-role`).",
    );
  }
}
