import fs from "node:fs/promises";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningPlayground } from "../../src/playground/start.js";
import {
  actAs,
  launchChromium,
  messageBox,
  messageWith,
  nextMessage,
  openChannel,
  screenshot,
  send,
  startTestPlayground,
  type LogLine,
} from "./browser.js";

let running: RunningPlayground;
let logs: LogLine[];
let browser: BrowserContext | undefined;
/** Why Chromium could not start: every test then fails with it, none is skipped. */
let noBrowser: Error | undefined;
let page: Page;
let pageOpen = false;
const pageErrors: string[] = [];
/** The screenshot a test leaves in test-results/playground/, named by the test. */
let shot = "";

beforeAll(async () => {
  ({ running, logs } = await startTestPlayground());
  browser = await launchChromium().catch((error: Error) => {
    noBrowser = error;
    return undefined;
  });
});

afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

/** A fresh tab in #general as ada, whatever the last test left. */
async function openPage(): Promise<void> {
  shot = "";
  if (!browser) throw noBrowser;
  page = await browser.newPage();
  pageOpen = true;
  page.setDefaultTimeout(5_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  await page.goto(running.url);
  await openChannel(page, "general");
  await actAs(page, "ada");
}

/** Saves the test's screenshot; the page must have run without errors, the bot without warnings. */
async function closePage(): Promise<void> {
  if (!pageOpen) return;
  pageOpen = false;
  await screenshot(page, shot || "unnamed");
  await page.close();
  // The page ran without errors, and the bot broke no Discord rule and logged no error.
  expect(pageErrors.splice(0)).toEqual([]);
  expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
}

/** Fills the "Add a model" form the bot opened, by its labels, as a person would. */
async function fillModelForm(values: {
  name: string;
  released: string;
  summary: string;
  source?: string;
}) {
  const form = page.getByRole("dialog", { name: "Add a model to this server" });
  await form.waitFor();
  await form.getByRole("textbox", { name: "Name", exact: true }).fill(values.name);
  await form.getByRole("textbox", { name: "Release date (optional)" }).fill(values.released);
  await form.getByRole("textbox", { name: "Summary", exact: true }).fill(values.summary);
  if (values.source) await form.getByRole("textbox", { name: /^Source/ }).fill(values.source);
  return form;
}

describe("the playground in a browser", () => {
  beforeEach(openPage);
  afterEach(closePage);

  it("GIVEN the member types /model opus 4.5 THEN the bot's card appears in the channel, with its bookmark reaction", async () => {
    shot = "model-card";
    // This one is the README's picture: a little smaller than the others.
    await page.setViewportSize({ width: 1000, height: 640 });
    await openChannel(page, "general");
    const box = messageBox(page);
    await box.click();
    const card = await nextMessage(page, async () => {
      await box.pressSequentially("/model opus 4.5");
      await box.press("Enter");
    });
    await card.locator(".embed-title", { hasText: "Claude Opus 4.5" }).waitFor();
    expect(await card.locator(".trigger").textContent()).toBe("↱ ada used /model");
    await card.evaluate((e) => e.scrollIntoView());
    await box.blur();
    expect(await card.locator(".embed dt").allTextContents()).toContain("Lab");
    expect(await card.locator(".embed .field", { hasText: "Lab" }).first().textContent()).toContain(
      "Anthropic",
    );
    // The embed's colour is the bot's, drawn as its left border.
    expect(await card.locator(".embed").getAttribute("style")).toMatch(/^--accent: #[0-9a-f]{6};$/);
    await card.getByRole("button", { name: /^🔖: 1 reaction\. Press to add yours$/ }).waitFor();
    expect(await box.inputValue()).toBe("");
  });

  it("GIVEN a typo THEN the bot's live autocomplete offers the model, and picking it sends its id", async () => {
    shot = "autocomplete";
    const box = messageBox(page);
    await box.click();
    await box.pressSequentially("/model nemotrn casc");
    const choice = page.getByRole("option", { name: /^Nemotron-Cascade 2 — NVIDIA/ });
    await choice.waitFor();
    // Keyboard only: down to the choice, Enter picks it, Enter sends.
    const names = await page.getByRole("option").allTextContents();
    for (let i = 0; i <= names.findIndex((n) => n.startsWith("Nemotron-Cascade 2")); i++)
      await box.press("ArrowDown");
    expect(await choice.getAttribute("aria-selected")).toBe("true");
    await box.press("Enter");
    expect(await box.inputValue()).toMatch(/^\/model name:Nemotron-Cascade 2 — NVIDIA.* $/);
    const card = await nextMessage(page, () => box.press("Enter"));
    await card.locator(".embed-title", { hasText: /^Nemotron-Cascade 2$/ }).waitFor();
  });

  it("GIVEN a card THEN Mentions pages through the passages that name it, in place, keeping focus", async () => {
    shot = "mentions";
    const card = await send(page, "/model opus 4.5");
    await card.getByRole("button", { name: "Mentions" }).click();
    const pages = card.locator(".embed-footer", { hasText: /^Page 1 of \d+/ });
    await pages.waitFor();
    const total = Number(/of (\d+)/.exec((await pages.textContent())!)![1]);
    expect(total).toBeGreaterThan(1);
    expect(await card.locator(".embed-title").textContent()).toBe(
      "Claude Opus 4.5: mentions in the corpus",
    );
    expect(await card.getByRole("button", { name: "◀ Prev" }).isDisabled()).toBe(true);
    await card.getByRole("button", { name: "Next ▶" }).focus();
    await page.keyboard.press("Enter");
    await card.locator(".embed-footer", { hasText: `Page 2 of ${total}` }).waitFor();
    expect(await card.getByRole("button", { name: "◀ Prev" }).isDisabled()).toBe(false);
    // The message was replaced, yet focus is back where it was.
    expect(await page.locator(":focus").textContent()).toMatch(/Next ▶|◀ Prev/);
  });

  it("GIVEN the member clicks 🔖 on a card THEN /bookmarks list shows it, to them only, and export downloads it", async () => {
    shot = "bookmarks";
    const card = await send(page, "/model kimi k2 thinking");
    await card.locator(".embed-title", { hasText: /^Kimi K2 Thinking$/ }).waitFor();
    const reaction = card.getByRole("button", { name: /^🔖:/ });
    await reaction.waitFor();
    await reaction.click();
    await card
      .getByRole("button", { name: "🔖: 2 reactions, including yours. Press to remove yours" })
      .waitFor();

    const list = await send(page, "/bookmarks list");
    await list.getByText("Your bookmarks in this server").waitFor();
    expect(await list.textContent()).toContain("Kimi K2 Thinking");
    expect(await list.locator(".ephemeral-note").textContent()).toContain("Only you can see this");
    // A private reply can be dismissed, as in Discord.
    await list.getByRole("button", { name: "Dismiss message" }).click();
    await list.waitFor({ state: "detached" });

    const exported = await send(page, "/bookmarks export format:JSON");
    const link = exported.getByRole("link", { name: /\.json$/ });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const file = JSON.parse(await fs.readFile((await download.path())!, "utf8")) as unknown;
    expect(JSON.stringify(file)).toContain("Kimi K2 Thinking");

    // The other server keeps its own bookmarks.
    await page
      .getByRole("navigation", { name: "Servers" })
      .getByRole("button", { name: "Open Weights" })
      .click();
    await page.locator("#server-name", { hasText: "Open Weights" }).waitFor();
    const elsewhere = await send(page, "/bookmarks list");
    await elsewhere.getByText("You have no bookmarks", { exact: false }).waitFor();
    await page
      .getByRole("navigation", { name: "Servers" })
      .getByRole("button", { name: "AI Club" })
      .click();

    // Grace sees the card and its reactions, but not ada's private replies.
    await actAs(page, "grace");
    await messageWith(page, "Kimi K2 Thinking");
    expect(
      await page.locator("article", { hasText: "Your bookmarks in this server" }).count(),
    ).toBe(0);
  });

  it("GIVEN the moderator THEN /entry add opens the form, and the new model is in /model at once", async () => {
    shot = "entry-add";
    // A member does not see the moderators' commands.
    const box = messageBox(page);
    await box.fill("/entr");
    expect(await page.getByText("No command starts with /entr.").count()).toBe(1);
    await box.fill("");

    await actAs(page, "grace");
    await box.fill("/entr");
    await page.getByRole("option", { name: /^\/entry add/ }).waitFor();
    await box.press("Enter");
    expect(await box.inputValue()).toBe("/entry add ");
    await box.pressSequentially("kind:Model lab:Moonshot AI");
    await box.press("Enter");
    const form = await fillModelForm({
      name: "Kimi K3",
      released: "2026-02-20",
      summary: "Moonshot AI's third Kimi model, with a longer context and better tool use than K2.",
    });
    await screenshot(page, "entry-form");
    await form.getByRole("button", { name: "Submit" }).click();
    await form.waitFor({ state: "hidden" });
    const saved = await messageWith(page, "Added Kimi K3");
    expect(await saved.locator(".ephemeral-note").count()).toBe(1);
    // Focus went back to the message box.
    expect(await page.locator(":focus").getAttribute("id")).toBe("composer-input");

    await actAs(page, "ada");
    const card = await send(page, "/model kimi k3");
    await card.locator(".embed-title", { hasText: /^Kimi K3$/ }).waitFor();
    expect(await card.textContent()).toContain("Moonshot AI");
  });

  it("GIVEN a bad form THEN its problems are listed, nothing is saved, and the form reopens filled in", async () => {
    shot = "entry-form-errors";
    await actAs(page, "grace");
    await messageBox(page).fill("/entry add kind:Model lab:Moonshot AI");
    await messageBox(page).press("Enter");
    const form = await fillModelForm({
      name: "Kimi K4",
      released: "2026-02-30",
      summary: "A model that does not exist yet, dated on a day February lacks.",
      source: "http://example.com/k4",
    });
    await form.getByRole("button", { name: "Submit" }).click();
    const problems = await messageWith(page, "Nothing was saved");
    const text = (await problems.textContent())!;
    expect(text).toContain('Release date "2026-02-30" is not a date');
    expect(text).toContain("Source link must be a full https:// address.");
    expect(await problems.locator(".ephemeral-note").textContent()).toContain(
      "Only you can see this",
    );

    await problems.getByRole("button", { name: "Edit and try again" }).click();
    const again = page.getByRole("dialog");
    await again.waitFor();
    expect(await again.getByRole("textbox", { name: "Release date (optional)" }).inputValue()).toBe(
      "2026-02-30",
    );
    await again.getByRole("button", { name: "Cancel" }).click();
  });

  it("GIVEN a week THEN the weekly recap is posted in #recaps, once", async () => {
    shot = "weekly-recap";
    await openChannel(page, "recaps");
    await page.getByLabel("Week", { exact: true }).fill("2026-W06");
    await page.getByRole("button", { name: "Post recap" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: "The recap of 2026-W06 was posted in #recaps." })
      .waitFor();
    const recap = await messageWith(page, "Weekly recap · 2026-W06 (2–8 Feb 2026)");
    expect(await recap.textContent()).toContain("Claude Opus 4.6");
    // The recap's menu opens a card.
    const menu = recap.getByRole("combobox", { name: "Open a card" });
    const option = await menu
      .locator("option", { hasText: "Claude Opus 4.6" })
      .getAttribute("value");
    const card = await nextMessage(page, async () => {
      await menu.selectOption(option!);
    });
    await card.locator(".embed-title", { hasText: /^Claude Opus 4\.6$/ }).waitFor();
    expect(await card.locator(".trigger").textContent()).toMatch(/^↱ ada chose “Claude Opus 4\.6/);

    await page.getByRole("button", { name: "Post recap" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: "The recap of 2026-W06 was already posted in #recaps" })
      .waitFor();
    expect(await page.locator("article", { hasText: "Weekly recap · 2026-W06" }).count()).toBe(1);
  });

  it("GIVEN text a member writes THEN it is shown as text: no markup from anyone runs", async () => {
    shot = "escaped-text";
    await openChannel(page, "research");
    const said = await send(
      page,
      '<img src=x onerror="document.title=1"> [x](javascript:alert(1)) **bold**',
    );
    expect(await said.locator(".content").textContent()).toBe(
      '<img src=x onerror="document.title=1"> [x](javascript:alert(1)) bold',
    );
    expect(await said.locator("img").count()).toBe(0);
    expect(await said.locator("a").count()).toBe(0);
    expect(await said.locator("strong").textContent()).toBe("bold");
  });

  it("GIVEN a phone-sized window THEN the channel fills it and the channel list opens from a button", async () => {
    shot = "phone";
    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole("button", { name: "Channels" });
    expect(await page.getByRole("navigation", { name: "Channels" }).isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    // Focus moved into the list, on the current channel; Escape closes it again.
    expect(await page.locator(":focus").textContent()).toBe("# general");
    await page.keyboard.press("Escape");
    expect(await page.getByRole("navigation", { name: "Channels" }).isVisible()).toBe(false);
    await menu.click();
    await openChannel(page, "general");
    expect(await page.getByRole("navigation", { name: "Channels" }).isVisible()).toBe(false);
    const card = await send(page, "/lab anthropic");
    await card.locator(".embed-title", { hasText: /^Anthropic$/ }).waitFor();
    const width = await card.evaluate((e) => e.getBoundingClientRect().right);
    expect(width).toBeLessThanOrEqual(390);
  });

  it("GIVEN Reset THEN the playground starts over with no entries or bookmarks", async () => {
    shot = "reset";
    await page.getByRole("button", { name: "Reset…" }).click();
    await page
      .getByRole("dialog", { name: "Start over?" })
      .getByRole("button", { name: "Reset" })
      .click();
    await page
      .getByRole("status")
      .filter({ hasText: "The playground starts over" })
      .waitFor({ timeout: 15_000 });
    await page.getByText("No messages yet", { exact: false }).waitFor();
    const list = await send(page, "/bookmarks list");
    await list.getByText("You have no bookmarks", { exact: false }).waitFor();
    const reply = await send(page, "/model kimi k3");
    await reply.locator(".content, .embed").first().waitFor();
    expect(await reply.locator(".embed-title", { hasText: /^Kimi K3$/ }).count()).toBe(0);
  });
});

describe("the playground's server", () => {
  it("GIVEN a request from another site or without JSON THEN it is refused and nothing happens", async () => {
    const body = JSON.stringify({ server: "1", week: "2026-W06" });
    const foreign = await fetch(`${running.url}/api/recap`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    const form = await fetch(`${running.url}/api/recap`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    expect(form.status).toBe(415);
    const page = await fetch(running.url);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});
