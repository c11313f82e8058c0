import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { pino } from "pino";
import { parseConfig } from "../../src/config.js";
import { startPlayground, type RunningPlayground } from "../../src/playground/start.js";
import { SHIPPED_DATA, tempDir } from "../helpers.js";

/** Debian's package; nothing here ever downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(import.meta.dirname, "../..");
export const SCREENSHOTS = path.join(ROOT, "test-results", "playground");

/** Chromium, headless, with a fresh profile; fails loudly when it is not installed. */
export async function launchChromium(
  viewport = { width: 1200, height: 800 },
): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}, so the browser tests cannot run. Install Debian's package (apt-get install -y chromium; .ci/run does it when run as root), or set CHROMIUM_PATH to a Chromium executable.`,
    );
  }
  return chromium.launchPersistentContext(await tempDir("chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    acceptDownloads: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
}

/** The playground as `npm start` runs it without a token, on a free port and a fresh state folder. */
export async function startTestPlayground(): Promise<{
  running: RunningPlayground;
  logs: LogLine[];
}> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = parseConfig({
    STATE_DIR: await tempDir("playground-"),
    DATA_DIR: SHIPPED_DATA,
    PLAYGROUND_PORT: "0",
    LOG_LEVEL: "info",
  });
  const running = await startPlayground({ config, logger: pino({ level: "info" }, sink) });
  return { running, logs };
}

/** Saves what the page looks like now under test-results/playground/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The message box, however its placeholder reads. */
export function messageBox(page: Page): Locator {
  return page.getByRole("combobox", { name: /^Message #/ });
}

/** The message the action makes appear in the channel (the bot's reply may still be loading). */
export async function nextMessage(page: Page, action: () => Promise<void>): Promise<Locator> {
  const before = await page.locator("#messages article").count();
  await action();
  await page.locator("#messages article").nth(before).waitFor();
  const id = await page.locator("#messages article").last().getAttribute("id");
  return page.locator(`[id="${id}"]`);
}

/** Types a line and sends it with Enter; resolves with the reply. */
export function send(page: Page, line: string): Promise<Locator> {
  const box = messageBox(page);
  return nextMessage(page, async () => {
    await box.fill(line);
    await box.press("Enter");
  });
}

/** The newest message that contains `text`, once it is there. */
export async function messageWith(page: Page, text: string | RegExp): Promise<Locator> {
  const message = page.locator("#messages article").filter({ hasText: text }).last();
  await message.waitFor();
  return message;
}

export async function actAs(page: Page, name: "ada" | "grace"): Promise<void> {
  await page.getByRole("radio", { name: new RegExp(`^${name}`) }).check();
  await messageBox(page)
    .and(page.locator(`[placeholder*=" as ${name} "]`))
    .waitFor();
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Channels" }).getByRole("button", { name }).click();
  await page.locator(`#channel-name:text-is("# ${name}")`).waitFor();
}
