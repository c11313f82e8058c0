import { MessageFlags } from "discord-api-types/v10";
import { describe, expect, it } from "vitest";
import { webhookMessage } from "../../src/discord/followups.js";
import { ephemeral, message } from "../../src/discord/payload.js";

describe("edits and follow-ups of deferred answers", () => {
  it("GIVEN an answer that replaces a deferral THEN the edit clears what it leaves out and never pings", () => {
    const { body, files } = webhookMessage(
      message({ embeds: [{ title: "GPT-5", description: "A model" }] }),
      true,
    );
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      content: null,
      embeds: [{ title: "GPT-5", description: "A model" }],
      components: [],
      allowed_mentions: { parse: [] },
    });
    expect(files).toBeUndefined();
  });

  it("GIVEN a private follow-up THEN it stays private and keeps its text", () => {
    const { body } = webhookMessage(ephemeral("Only you can see this.").payload, false);
    expect(body.flags).toBe(MessageFlags.Ephemeral);
    expect(body.content).toBe("Only you can see this.");
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it("GIVEN an edit THEN it sends no flags (a deferral's privacy is fixed when it is made)", () => {
    expect(webhookMessage(ephemeral("x").payload, true).body.flags).toBeUndefined();
  });

  it("GIVEN files THEN each is sent as an attachment named in the body, in order", () => {
    const { body, files } = webhookMessage(
      message({
        content: "Your export",
        files: [
          { name: "models.json", data: "[]" },
          { name: "notes é.txt", data: "é" },
        ],
      }),
      false,
    );
    expect(body.attachments).toEqual([
      { id: "0", filename: "models.json" },
      { id: "1", filename: "notes é.txt" },
    ]);
    expect(files?.map((f) => [f.name, Buffer.from(f.data as Buffer).toString("utf8")])).toEqual([
      ["models.json", "[]"],
      ["notes é.txt", "é"],
    ]);
  });
});
