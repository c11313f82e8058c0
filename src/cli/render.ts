import { ComponentType, MessageFlags } from "discord-api-types/v10";
import type { MessagePayload } from "../discord/payload.js";

/** Drops Discord's markdown escapes so the terminal shows the text a member would read. */
function plain(text: string): string {
  return text.replace(/\\([\\*_~`|[\]#>\-.])/g, "$1").replace(/\u200b/g, "");
}

/** The reply as readable text for a terminal. */
export function renderPayload(payload: MessagePayload): string {
  const out: string[] = [];
  if (payload.flags && payload.flags & MessageFlags.Ephemeral) out.push("(only you can see this)");
  if (payload.content) out.push(plain(payload.content));
  for (const embed of payload.embeds ?? []) {
    if (embed.title) out.push(`== ${plain(embed.title)} ==`);
    if (embed.url) out.push(embed.url);
    if (embed.description) out.push(plain(embed.description));
    for (const field of embed.fields ?? [])
      out.push("", `# ${plain(field.name)}`, plain(field.value));
    if (embed.footer) out.push("", `-- ${plain(embed.footer.text)}`);
  }
  for (const row of payload.components ?? []) {
    if (row.type !== ComponentType.ActionRow) continue;
    const buttons = row.components.map((c) => {
      if (c.type === ComponentType.Button && "custom_id" in c)
        return `[${c.label ?? ""}${c.disabled ? " (disabled)" : ""}] ${c.custom_id}`;
      if (c.type === ComponentType.StringSelect)
        return `[${c.placeholder ?? "Choose"}: ${c.options.map((o) => plain(o.label)).join(" | ")}] ${c.custom_id}`;
      return `[component ${c.type}]`;
    });
    out.push("", buttons.join("  "));
  }
  return out.join("\n");
}
