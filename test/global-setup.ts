import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TestPostgres } from "./postgres.js";

/**
 * One temporary folder and one real Postgres server for the whole run, shared with the test
 * workers (each test file makes its own database on it) and removed at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "modeldex-test-"));
  process.env.MODELDEX_TEST_TMP = root;
  const postgres = await TestPostgres.start();
  process.env.MODELDEX_TEST_POSTGRES = postgres.url;
  return async () => {
    await postgres.stop();
    fs.rmSync(root, { recursive: true, force: true });
  };
}
