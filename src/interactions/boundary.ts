import type { Logger } from "pino";
import { ephemeral, type Reply } from "../discord/payload.js";
import { isUserError, StaleInteractionError } from "../errors.js";

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
    if (error instanceof StaleInteractionError) {
      logger.info({ ...context, reason: error.detail }, "refused a stale or tampered interaction");
      return ephemeral(error.message);
    }
    if (isUserError(error)) return ephemeral(error.message);
    logger.error({ err: error, ...context }, "interaction failed");
    return ephemeral(GENERIC_FAILURE);
  }
}
