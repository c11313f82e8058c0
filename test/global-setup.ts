import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** One temporary folder for the whole run, shared with the test workers and removed at the end. */
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "modeldex-test-"));
  process.env.MODELDEX_TEST_TMP = root;
  return () => fs.rmSync(root, { recursive: true, force: true });
}
