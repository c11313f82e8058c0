import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const STAMP = path.join(ROOT, "dist", ".build-stamp");
const LOCK = path.join(ROOT, "dist", ".build-lock");
const INPUTS = ["src", "commands", "package.json", "tsconfig.json", "tsconfig.build.json"];
const WAIT_MS = 200;
const GIVE_UP_MS = 5 * 60_000;

async function newestInput(entry = ""): Promise<number> {
  const names = entry === "" ? INPUTS : [entry];
  let newest = 0;
  for (const name of names) {
    const full = path.join(ROOT, name);
    const stat = await fs.stat(full);
    if (stat.isDirectory()) {
      for (const child of await fs.readdir(full))
        newest = Math.max(newest, await newestInput(path.join(name, child)));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

async function fresh(): Promise<boolean> {
  const stamp = await fs.stat(STAMP).catch(() => undefined);
  return !!stamp && stamp.mtimeMs >= (await newestInput());
}

/**
 * `npm run build`, when a source changed since the last one, so the tests that run the built
 * bot (`npm start`, `npm run cli`) run the code under test. Test files run in parallel: the
 * first one builds and the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!(await fresh())) {
    await fs.mkdir(path.dirname(LOCK), { recursive: true });
    const locked = await fs.mkdir(LOCK).then(
      () => true,
      () => false,
    );
    if (locked) {
      try {
        const started = new Date();
        await promisify(execFile)("npm", ["run", "--silent", "build"], { cwd: ROOT });
        await fs.writeFile(STAMP, "");
        // Stamped with the start time: a file saved during the build makes the next run build.
        await fs.utimes(STAMP, started, started);
        return;
      } finally {
        await fs.rm(LOCK, { recursive: true, force: true });
      }
    }
    // A lock older than any build is left over from a run that was killed mid-build.
    const lock = await fs.stat(LOCK).catch(() => undefined);
    if (lock && Date.now() - lock.mtimeMs > GIVE_UP_MS) await fs.rm(LOCK, { recursive: true });
    if (Date.now() > deadline) throw new Error("gave up waiting for another test file's build");
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  }
}
