import { StaleInteractionError } from "../errors.js";

/** The message a button or menu was pressed on, as far as the checks below need it. */
export interface ComponentOrigin {
  /** Every custom id the message carries (in rows, sections or containers). */
  readonly customIds: readonly string[];
  /** The member a private (ephemeral) message was shown to; null for a public message. */
  readonly privateTo: string | null;
}

/**
 * Refuses a component interaction the bot did not offer this member: a custom id its message
 * does not carry (it would act on that message as another command's button), or a button on a
 * private reply pressed by anyone but the member it was for.
 */
export function checkComponentOrigin(
  customId: string,
  userId: string,
  origin: ComponentOrigin,
): void {
  if (!origin.customIds.includes(customId))
    throw new StaleInteractionError(`custom id "${customId}" is not on its message`);
  if (origin.privateTo !== null && origin.privateTo !== userId)
    throw new StaleInteractionError(`"${customId}" is on another member's private reply`);
}

interface ComponentNode {
  custom_id?: unknown;
  components?: unknown;
  component?: unknown;
  accessory?: unknown;
}

/** The custom ids in message components as Discord sends them (JSON), at any depth. */
export function customIdsIn(components: readonly unknown[]): string[] {
  const ids: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const c = node as ComponentNode;
    if (typeof c.custom_id === "string") ids.push(c.custom_id);
    if (Array.isArray(c.components)) c.components.forEach(walk);
    walk(c.component);
    walk(c.accessory);
  };
  components.forEach(walk);
  return ids;
}
