// serve.singlePageApp in Chromium: a deep link the browser navigates to gets
// index.html (so the app boots and routes itself), while a missing file
// fetched by script still gets 404.html with status 404.
import { launch, run, step } from "./lib.mjs";

run(async () => {
  const browser = await launch();
  try {
    const page = await browser.openPage("reader", "/some/deep/link?room=spa");
    await step("a navigation to an unknown path boots the app", async () => {
      await page.getByRole("heading", { name: "Online (0)" }).waitFor();
      await page.getByRole("heading", { name: "#spa" }).waitFor();
    });
    await step("a fetch of a missing file is a 404 with 404.html", async () => {
      const res = await page.evaluate(async () => {
        const r = await fetch("/no/such/file.js");
        return { status: r.status, body: await r.text() };
      });
      if (res.status !== 404 || !res.body.includes("custom not found page")) {
        throw new Error(`got ${res.status} ${JSON.stringify(res.body.slice(0, 80))}`);
      }
    });
    const errors = browser.pageErrors();
    if (errors.length) throw new Error(`uncaught errors in pages:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
  }
});
