import type { Logger } from "pino";
import { ephemeral, type Reply } from "../discord/payload.js";
import { isUserError } from "../errors.js";

export const GENERIC_FAILURE =
  "Something went wrong on our side. It has been logged; please try again in a moment.";

/**
 * The one place errors become replies: a UserError's message is shown to the member; anything
 * else is logged with its context and answered generically, so no stack trace, query or token
 * ever reaches a user.
 */
export async function answerSafely(
  work: () => Promise<Reply>,
  logger: Logger,
  context: Record<string, unknown>,
): Promise<Reply> {
  try {
    return await work();
  } catch (error) {
    if (isUserError(error)) return ephemeral(error.message);
    logger.error({ err: error, ...context }, "interaction failed");
    return ephemeral(GENERIC_FAILURE);
  }
}
