import type { AppContext } from "../src/app/context.js";
import type { Caller } from "../src/interactions/types.js";
import { canManageServer, requireGuild, requireModerator } from "../src/settings/permissions.js";
import { getGuildSettings, type GuildSettings } from "../src/settings/repository.js";
import { UserError } from "../src/errors.js";

/**
 * The server a moderator command runs in, once the caller is shown to be a moderator there.
 * Discord hides these commands from other members, but permissions change after registration,
 * so every call is checked again.
 */
export async function moderatorGuild(
  caller: Caller,
  ctx: AppContext,
): Promise<{ guildId: string; settings: GuildSettings }> {
  const guildId = requireGuild(caller);
  const settings = await getGuildSettings(ctx.store, guildId, ctx.reportProblem);
  requireModerator(caller, settings);
  return { guildId, settings };
}

/** Settings that decide who moderates are for Manage Server alone. */
export function requireManageServer(caller: Caller): string {
  const guildId = requireGuild(caller);
  if (!canManageServer(caller)) throw new UserError("Only members with Manage Server can do this.");
  return guildId;
}
