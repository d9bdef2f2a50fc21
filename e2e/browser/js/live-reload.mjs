// serve.build.live in Chromium: an open page reloads by itself after a
// client source file changes, and shows the rebuilt code.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, run, step } from "./lib.mjs";

const PROJECT_DIR = process.env.PROJECT_DIR;
if (!PROJECT_DIR) throw new Error("PROJECT_DIR is not set (the Go test sets it)");

run(async () => {
  const browser = await launch();
  try {
    const page = await browser.openPage("reader", "/");
    await page.getByRole("heading", { name: "Online (0)" }).waitFor();
    // A page that reloads loses this; one patched in place would keep it.
    await page.evaluate(() => (window.beforeReload = true));

    await step("editing a client file reloads the open page with the new code", async () => {
      const reloaded = page.waitForEvent("load");
      const file = join(PROJECT_DIR, "app", "MultiplayerChat.tsx");
      const source = readFileSync(file, "utf8");
      if (!source.includes("<h2>Online (")) throw new Error("MultiplayerChat.tsx changed; update this test");
      writeFileSync(file, source.replace("<h2>Online (", "<h2>Here now ("));
      await reloaded;
      await page.getByRole("heading", { name: "Here now (0)" }).waitFor();
      if (await page.evaluate(() => window.beforeReload)) throw new Error("the page was not reloaded");
    });

    const errors = browser.pageErrors();
    if (errors.length) throw new Error(`uncaught errors in pages:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
  }
});
