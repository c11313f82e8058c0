import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

/** A JSON logger writing into an array of parsed lines. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger("debug", { pretty: false, destination }), lines };
}

const SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.secret-part";

describe("log lines never carry a secret", () => {
  it("GIVEN a token, a Discord token or an authorization header in a line THEN each is censored and the rest is kept", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        token: SECRET,
        discordToken: SECRET,
        headers: { authorization: `Bot ${SECRET}`, accept: "json" },
        guild: "42",
      },
      "top level",
    );
    expect(lines[0]).toMatchObject({
      token: "[redacted]",
      discordToken: "[redacted]",
      headers: { authorization: "[redacted]", accept: "json" },
      guild: "42",
      msg: "top level",
    });
    expect(JSON.stringify(lines)).not.toContain("secret-part");
  });

  it("GIVEN secrets one level down, in an object or an error THEN they are censored, and the error keeps its message and stack", () => {
    const { logger, lines } = capture();
    const interaction = { id: "7", token: SECRET };
    const request = { url: "/x", headers: { authorization: `Bot ${SECRET}` } };
    const error = Object.assign(new Error("request failed"), { token: SECRET, code: 50013 });
    logger.error({ interaction, request, err: error }, "nested");
    const line = lines[0]!;
    expect(line.interaction).toEqual({ id: "7", token: "[redacted]" });
    expect(line.request).toEqual({ url: "/x", headers: { authorization: "[redacted]" } });
    expect(line.err).toMatchObject({ message: "request failed", token: "[redacted]", code: 50013 });
    expect((line.err as { stack: string }).stack).toContain("request failed");
    expect(JSON.stringify(lines)).not.toContain("secret-part");
    // What was logged is left as it was: only the line is censored.
    expect(interaction.token).toBe(SECRET);
    expect(error.token).toBe(SECRET);
    expect(request.headers.authorization).toBe(`Bot ${SECRET}`);
  });

  it("GIVEN a line with no secret THEN it is written as given", () => {
    const { logger, lines } = capture();
    logger.debug(
      { guildId: "1", emoji: { id: null, name: "🔖" }, outcome: "saved" },
      "bookmark reaction",
    );
    expect(lines[0]).toMatchObject({
      guildId: "1",
      emoji: { id: null, name: "🔖" },
      outcome: "saved",
      msg: "bookmark reaction",
    });
  });
});
