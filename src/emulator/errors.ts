/** A Discord-shaped REST error: the HTTP status and the JSON `{ message, code }` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  body(): { message: string; code: number; errors?: unknown } {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

/** The error codes the emulator answers with, as Discord documents them. */
export const ErrorCodes = {
  general: 0,
  unknownChannel: 10003,
  unknownGuild: 10004,
  unknownMember: 10007,
  unknownMessage: 10008,
  unknownRole: 10011,
  unknownUser: 10013,
  unknownEmoji: 10014,
  unknownWebhook: 10015,
  unknownInteraction: 10062,
  unknownApplicationCommand: 10063,
  alreadyAcknowledged: 40060,
  missingAccess: 50001,
  cannotEditOthersMessage: 50005,
  emptyMessage: 50006,
  cannotMessageUser: 50007,
  missingPermissions: 50013,
  invalidFormBody: 50035,
  invalidJson: 50109,
} as const;

export const Errors = {
  unauthorized: () => new ApiError(401, ErrorCodes.general, "401: Unauthorized"),
  notFound: () => new ApiError(404, ErrorCodes.general, "404: Not Found"),
  unknownChannel: () => new ApiError(404, ErrorCodes.unknownChannel, "Unknown Channel"),
  unknownGuild: () => new ApiError(404, ErrorCodes.unknownGuild, "Unknown Guild"),
  unknownMember: () => new ApiError(404, ErrorCodes.unknownMember, "Unknown Member"),
  unknownMessage: () => new ApiError(404, ErrorCodes.unknownMessage, "Unknown Message"),
  unknownUser: () => new ApiError(404, ErrorCodes.unknownUser, "Unknown User"),
  unknownEmoji: () => new ApiError(400, ErrorCodes.unknownEmoji, "Unknown Emoji"),
  unknownWebhook: () => new ApiError(404, ErrorCodes.unknownWebhook, "Unknown Webhook"),
  unknownInteraction: () => new ApiError(404, ErrorCodes.unknownInteraction, "Unknown interaction"),
  alreadyAcknowledged: () =>
    new ApiError(400, ErrorCodes.alreadyAcknowledged, "Interaction has already been acknowledged."),
  missingAccess: () => new ApiError(403, ErrorCodes.missingAccess, "Missing Access"),
  missingPermissions: () => new ApiError(403, ErrorCodes.missingPermissions, "Missing Permissions"),
  cannotEditOthers: () =>
    new ApiError(
      403,
      ErrorCodes.cannotEditOthersMessage,
      "Cannot edit a message authored by another user",
    ),
  emptyMessage: () => new ApiError(400, ErrorCodes.emptyMessage, "Cannot send an empty message"),
  cannotMessageUser: () =>
    new ApiError(403, ErrorCodes.cannotMessageUser, "Cannot send messages to this user"),
  invalidFormBody: (problems: readonly string[]) =>
    new ApiError(400, ErrorCodes.invalidFormBody, "Invalid Form Body", {
      _errors: problems.map((message) => ({ code: "BASE_TYPE_INVALID", message })),
    }),
  invalidJson: () =>
    new ApiError(400, ErrorCodes.invalidJson, "The request body contains invalid JSON."),
};

/** Why Discord refuses an interaction before it reaches the bot (the member sees "This interaction failed"). */
export type RefusalCode =
  /** The custom id is not on the message, the component is disabled, or a value is not offered. */
  | "COMPONENT_VALIDATION_FAILED"
  /** The message is gone, or is another member's ephemeral message. */
  | "UNKNOWN_MESSAGE";

/** Thrown by a driver when Discord would refuse the interaction: the bot never sees it. */
export class InteractionRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(`emulator: Discord refuses this interaction (${code}): ${message}`);
    this.name = "InteractionRefused";
  }
}
