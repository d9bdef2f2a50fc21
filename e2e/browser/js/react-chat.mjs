// examples/react-chat in Chromium: presence, Enter to send, history for a
// late joiner, leaving, and reconnecting by itself after a server restart.
import { launch, log, restartServer, run, screenshot, step, WAIT_MS } from "./lib.mjs";

const ROOM = process.env.ROOM || "lobby";

run(async () => {
  const browser = await launch();
  try {
    const alice = await browser.openPage("alice", `/?room=${ROOM}`);
    const bob = await browser.openPage("bob", `/?room=${ROOM}`);

    await step("both join and see each other in Online (2)", async () => {
      await join(alice, "Alice");
      await join(bob, "Bob");
      for (const page of [alice, bob]) {
        await page.getByRole("heading", { name: "Online (2)" }).waitFor();
        await presence(page, "Alice").waitFor();
        await presence(page, "Bob").waitFor();
      }
      await presence(alice, "Alice").filter({ hasText: "(you)" }).waitFor();
    });

    await step("Enter sends, and the other page shows it", async () => {
      await say(alice, "Hello from Alice");
      await bubble(bob, "theirs", "Hello from Alice").waitFor();
      await bubble(alice, "mine", "Hello from Alice").waitFor();
      await say(bob, "Hi Alice, Bob here");
      await bubble(alice, "theirs", "Hi Alice, Bob here").waitFor();
      await bubble(bob, "mine", "Hi Alice, Bob here").waitFor();
      // Shift+Enter is a new line, not a send.
      const box = bob.getByRole("textbox", { name: "Message" });
      await box.press("x");
      await box.press("Shift+Enter");
      if ((await box.inputValue()) !== "x\n") throw new Error(`Shift+Enter: composer holds ${JSON.stringify(await box.inputValue())}`);
      await box.fill("");
    });

    const carol = await browser.openPage("carol", `/?room=${ROOM}`);
    await step("a page opened later shows the history", async () => {
      await bubble(carol, "theirs", "Hi Alice, Bob here").waitFor();
      await expectTexts(carol, ["Hello from Alice", "Hi Alice, Bob here"]);
      await join(carol, "Carol");
      await alice.getByRole("heading", { name: "Online (3)" }).waitFor();
    });
    await screenshot(alice, "react-chat.png");

    await step("closing a page removes it from the others' presence", async () => {
      await bob.context().close();
      for (const page of [alice, carol]) {
        await page.getByRole("heading", { name: "Online (2)" }).waitFor();
        await presence(page, "Bob").waitFor({ state: "detached" });
      }
    });

    await step("after a server restart the pages reconnect and chat works", async () => {
      // Watch for the disconnect before it happens, so a stale "connected"
      // cannot pass for a reconnection.
      const dropped = [alice, carol].map((page) =>
        page.getByRole("status").filter({ hasText: "reconnecting" }).waitFor({ timeout: WAIT_MS }),
      );
      await restartServer();
      await Promise.all(dropped);
      log("both pages saw the connection drop");
      for (const page of [alice, carol]) {
        await page.getByRole("status").filter({ hasText: "connected" }).waitFor();
        await page.getByRole("heading", { name: "Online (2)" }).waitFor();
      }
      await say(carol, "Still here after the restart");
      await bubble(alice, "theirs", "Still here after the restart").waitFor();
      // History survived the restart (room storage).
      await expectTexts(alice, ["Hello from Alice", "Hi Alice, Bob here", "Still here after the restart"]);
    });

    const errors = browser.pageErrors();
    if (errors.length) throw new Error(`uncaught errors in pages:\n${errors.join("\n")}`);
  } finally {
    await browser.close();
  }
});

async function join(page, name) {
  await page.getByRole("textbox", { name: "Your name" }).fill(name);
  await page.getByRole("button", { name: "Join" }).click();
  await page.getByRole("textbox", { name: "Message" }).waitFor();
}

async function say(page, text) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
  if ((await box.inputValue()) !== "") throw new Error("the composer was not cleared after Enter");
}

function presence(page, name) {
  return page.locator(".presence li", { hasText: name });
}

function bubble(page, whose, text) {
  return page.locator(`.bubble.${whose}`, { hasText: text });
}

async function expectTexts(page, want) {
  const got = await page.locator(".bubble .text").allTextContents();
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`messages ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}
