/** The bookmark emoji: a unicode emoji ("🔖") or a server's custom one ("<:pin:123…>"). */
export const DEFAULT_BOOKMARK_EMOJI = "🔖";

const CUSTOM = /^<(a?):([\w~]{2,32}):(\d{17,20})>$/;
// One emoji: pictographs with modifiers, joiners and variation selectors, flags, keycaps.
const UNICODE =
  /^(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?(?:\u200D\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)?)*)$/u;

export interface ReactionEmoji {
  readonly id: string | null;
  readonly name: string | null;
}

/** The canonical form to store, or undefined when the text is not one emoji. */
export function parseEmoji(input: string): string | undefined {
  const text = input.trim();
  const custom = CUSTOM.exec(text);
  if (custom) return `<${custom[1]}:${custom[2]}:${custom[3]}>`;
  return UNICODE.test(text) ? text : undefined;
}

/** The id of a custom emoji ("<:pin:123…>"), or undefined for a unicode one. */
export function customEmojiId(configured: string): string | undefined {
  return CUSTOM.exec(configured)?.[3];
}

const bare = (name: string) => name.replace(/\uFE0F/g, "");

export function emojiMatches(configured: string, emoji: ReactionEmoji): boolean {
  const customId = customEmojiId(configured);
  if (customId) return emoji.id === customId;
  return !emoji.id && !!emoji.name && bare(emoji.name) === bare(configured);
}

/** The form discord.js takes to add the reaction: the unicode text, or `name:id`. */
export function reactionIdentifier(configured: string): string {
  const custom = CUSTOM.exec(configured);
  return custom ? `${custom[2]}:${custom[3]}` : configured;
}
