// Helpers for the browser scenarios: Debian's Chromium driven by
// playwright-core (never a downloaded browser), and the line protocol the
// Go test uses to restart the server under test.
//
// The Go side starts the server, runs `node js/<scenario>.mjs` and reads its
// stdout: each line is a JSON request ({"op":"restart"}), answered with "ok"
// on stdin once done. Everything else a scenario says goes to stderr.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const BASE_URL = need("BASE_URL"); // http://127.0.0.1:<port>
const SCREENSHOT_DIR = need("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

// How long one wait may take. Reconnecting after a restart includes
// partysocket's backoff (3 s and up), so waits are generous; they bound a
// hang, they do not measure speed.
export const WAIT_MS = Number(process.env.WAIT_MS || 30000);

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (the Go test sets it)`);
  return v;
}

export function log(...args) {
  console.error(`[${new Date().toISOString().slice(11, 23)}]`, ...args);
}

// launch starts headless Chromium with the flags CI needs. Every launch
// gets a fresh profile: playwright-core passes Chromium a new temporary
// --user-data-dir (it refuses one in args, since a browser with several
// contexts needs its own) and deletes it on close.
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
    timeout: WAIT_MS,
  });
  const errors = [];
  // openPage opens url in a fresh context (its own cookies, storage and
  // BroadcastChannel: a different user), with page errors collected.
  browser.openPage = async (label, path) => {
    const context = await browser.newContext({ viewport: { width: 900, height: 560 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (err) => {
      errors.push(`${label}: ${err.message}`);
      log(`${label} page error:`, err.message);
    });
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") log(`${label} console.${msg.type()}:`, msg.text());
    });
    page.on("websocket", (ws) => {
      const url = ws.url().replace(/\?.*/, "");
      log(`${label} socket open ${url}`);
      ws.on("socketerror", (err) => log(`${label} socket error ${url}: ${err}`));
      ws.on("close", () => log(`${label} socket closed ${url}`));
    });
    await page.goto(BASE_URL + path);
    return page;
  };
  browser.pageErrors = () => errors;
  return browser;
}

// screenshot saves a PNG of page into SCREENSHOT_DIR.
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, name);
  await page.screenshot({ path });
  log("screenshot", path);
}

const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// restartServer asks the Go test to restart the server process (graceful
// stop, start on the same port and data directory) and waits until it has.
export async function restartServer() {
  process.stdout.write(JSON.stringify({ op: "restart" }) + "\n");
  const { value, done } = await stdin.next();
  if (done || value !== "ok") throw new Error(`restart: the test answered ${JSON.stringify(value)}`);
}

// step runs one named part of a scenario, logging how long it took, so a
// failure says which expectation did not hold.
export async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
  } catch (err) {
    err.message = `${name}: ${err.message}`;
    throw err;
  }
  log(`ok ${name} (${Date.now() - start} ms)`);
}

// run wraps a scenario: failures exit 1 with the stack on stderr.
export function run(scenario) {
  scenario().then(
    () => process.exit(0),
    (err) => {
      log(err.stack || String(err));
      process.exit(1);
    },
  );
}
