// examples/react-collab in Chromium: two editors in two browser contexts
// see each other's typing and presence; after both leave and the server
// restarts, a new page gets the text back from room storage.
import { launch, restartServer, run, screenshot, step } from "./lib.mjs";

const ROOM = process.env.ROOM || "notes";

run(async () => {
  const browser = await launch();
  try {
    const ada = await browser.openPage("ada", `/?room=${ROOM}&name=Ada`);
    const ben = await browser.openPage("ben", `/?room=${ROOM}&name=Ben`);
    const adaText = editor(ada);
    const benText = editor(ben);

    await step("both editors connect and see each other", async () => {
      for (const page of [ada, ben]) {
        await page.getByRole("status").filter({ hasText: "synced" }).waitFor();
        await peer(page, "Ada").waitFor();
        await peer(page, "Ben").waitFor();
      }
      await peer(ada, "Ada (you)").waitFor();
      await peer(ben, "Ben (you)").waitFor();
    });

    await step("typing in one page appears in the other", async () => {
      await adaText.click();
      await adaText.pressSequentially("Hello from Ada.");
      await waitValue(ben, "Hello from Ada.");
      await benText.click();
      await benText.press("End");
      await benText.pressSequentially(" Ben was here.");
      await waitValue(ada, "Hello from Ada. Ben was here.");
    });

    await step("edits at both ends at once converge", async () => {
      await adaText.press("Control+Home");
      await benText.press("Control+End");
      await Promise.all([adaText.pressSequentially(">> "), benText.pressSequentially(" <<")]);
      const want = ">> Hello from Ada. Ben was here. <<";
      await waitValue(ada, want);
      await waitValue(ben, want);
    });
    await screenshot(ada, "react-collab.png");

    await step("the other editor leaves the presence list when its page closes", async () => {
      await ben.context().close();
      await peer(ada, "Ben").waitFor({ state: "detached" });
    });

    await step("after a restart, a new page gets the text from storage", async () => {
      // Nobody is connected across the restart, so the text can only come
      // back from what the server stored, not from a client's copy.
      await ada.context().close();
      await restartServer();
      const cy = await browser.openPage("cy", `/?room=${ROOM}&name=Cy`);
      await cy.getByRole("status").filter({ hasText: "synced" }).waitFor();
      await waitValue(cy, ">> Hello from Ada. Ben was here. <<");
      await editor(cy).click();
      await editor(cy).press("Control+End");
      await editor(cy).pressSequentially(" And Cy.");
      await waitValue(cy, ">> Hello from Ada. Ben was here. << And Cy.");
    });

    const errors = browser.pageErrors();
    if (errors.length) throw new Error(`uncaught errors in pages:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
  }
});

function editor(page) {
  return page.getByRole("textbox", { name: "Document" });
}

function peer(page, name) {
  return page.getByRole("list", { name: "Editing now" }).getByRole("listitem").filter({ hasText: name });
}

async function waitValue(page, want) {
  try {
    await page.waitForFunction(
      (want) => document.querySelector("textarea")?.value === want,
      want,
    );
  } catch (err) {
    const got = await page.locator("textarea").inputValue().catch(() => "?");
    throw new Error(`document is ${JSON.stringify(got)}, want ${JSON.stringify(want)} (${err.message.split("\n")[0]})`);
  }
}
