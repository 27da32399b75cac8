// Drives examples/spa through a customer's journey in headless Chromium and prints what
// the browser saw as one JSON line; test_spa_journey.py makes the assertions.
// A step whose page state never appears fails here with the step's name.
//
// Input (environment): SPA_URL (the SPA on an allowed origin, with ?api=), FOREIGN_URL
// (the same SPA on an origin not in BFF_CORS_ORIGINS), BFF_URL, JOURNEY_EMAIL,
// JOURNEY_PASSWORD, CHROMIUM_PATH, ARTIFACT_DIR.
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const [spaUrl, foreignUrl, bffUrl] = ["SPA_URL", "FOREIGN_URL", "BFF_URL"].map(env);
const [email, password] = [env("JOURNEY_EMAIL"), env("JOURNEY_PASSWORD")];
const artifacts = env("ARTIFACT_DIR");
// Generous: the waits end as soon as the page is ready; only a broken step takes this long.
const STEP_TIMEOUT_MS = 60_000;

const facts = { steps: [], pageErrors: [], bffResponses: [] };

async function step(name, action) {
  try {
    await action();
    facts.steps.push(name);
  } catch (error) {
    throw new Error(`step "${name}" failed: ${error.message}`);
  }
}

// Attributes only: the cookie's value is a credential and never leaves the browser.
async function refreshCookie(context) {
  const cookie = (await context.cookies(bffUrl + "/api/auth/refresh")).find(
    (c) => c.name === "bff_refresh",
  );
  if (!cookie) return null;
  const { name, domain, path, expires, httpOnly, secure, sameSite } = cookie;
  return { name, domain, path, expiresInS: Math.round(expires - Date.now() / 1000), httpOnly, secure, sameSite };
}

const browser = await chromium.launch({ executablePath: env("CHROMIUM_PATH"), headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  page.on("pageerror", (error) => facts.pageErrors.push(error.message));
  page.on("response", async (response) => {
    const request = response.request();
    if (!request.url().startsWith(bffUrl)) return;
    const headers = await response.allHeaders();
    facts.bffResponses.push({
      method: request.method(),
      path: new URL(request.url()).pathname,
      status: response.status(),
      allowOrigin: headers["access-control-allow-origin"] ?? null,
      allowCredentials: headers["access-control-allow-credentials"] ?? null,
      sentCookie: "cookie" in (await request.allHeaders()),
    });
  });
  const status = page.locator("#status");
  const whoami = page.locator("#whoami");

  await step("open signed out", async () => {
    await page.goto(spaUrl);
    await status.filter({ hasText: "Please sign up or log in." }).waitFor();
  });

  await step("sign up", async () => {
    const form = page.locator("#signup-form");
    await form.locator("[name=email]").fill(email);
    await form.locator("[name=password]").fill(password);
    await form.getByRole("button").click();
    await whoami.filter({ hasText: email }).waitFor();
    // The page says "Welcome" once the catalog and orders are shown; acting before that
    // races the page's own status line.
    await status.filter({ hasText: "Welcome" }).waitFor();
  });
  facts.cookieAfterSignup = await refreshCookie(context);
  facts.documentCookie = await page.evaluate(() => document.cookie);

  await step("log out after sign up", async () => {
    await page.locator("#logout").click();
    await status.filter({ hasText: "Signed out." }).waitFor();
  });
  facts.cookieAfterFirstLogout = await refreshCookie(context);

  await step("log in", async () => {
    const form = page.locator("#login-form");
    await form.locator("[name=email]").fill(email);
    await form.locator("[name=password]").fill(password);
    await form.getByRole("button").click();
    await whoami.filter({ hasText: email }).waitFor();
    // The page says "Welcome" once the catalog and orders are shown; acting before that
    // races the page's own status line.
    await status.filter({ hasText: "Welcome" }).waitFor();
  });
  facts.webStorageEntries = await page.evaluate(() => localStorage.length + sessionStorage.length);

  await step("reload and stay signed in", async () => {
    const refreshed = page.waitForResponse(
      (r) => r.url() === bffUrl + "/api/auth/refresh" && r.request().method() === "POST",
    );
    await page.reload();
    facts.reloadRefreshStatus = (await refreshed).status();
    await whoami.filter({ hasText: email }).waitFor();
    // The page says "Welcome" once the catalog and orders are shown; acting before that
    // races the page's own status line.
    await status.filter({ hasText: "Welcome" }).waitFor();
  });

  await step("list the catalog", async () => {
    await page.locator("#catalog li button").first().waitFor();
    facts.catalogItems = await page.locator("#catalog li").count();
  });

  await step("place an order", async () => {
    await page.locator("#catalog li button").first().click();
    await status.filter({ hasText: /^Order .+ placed/ }).waitFor();
    facts.orderNumber = /^Order (\S+) placed/.exec(await status.innerText())?.[1] ?? null;
  });

  await step("see the order in the list", async () => {
    await page.locator("#orders li", { hasText: facts.orderNumber }).waitFor();
    facts.ordersListed = await page.locator("#orders li .name").allInnerTexts();
  });
  await page.screenshot({ path: `${artifacts}/spa-journey-order.png`, fullPage: true });

  // A cross-site form could only send a "simple" request: no JSON type, no custom header.
  facts.simpleRefresh = await page.evaluate(async (url) => {
    const response = await fetch(url + "/api/auth/refresh", { method: "POST", credentials: "include" });
    return { status: response.status, code: (await response.json()).code };
  }, bffUrl);

  await step("log out", async () => {
    await page.locator("#logout").click();
    await status.filter({ hasText: "Signed out." }).waitFor();
  });
  facts.cookieAfterLogout = await refreshCookie(context);

  await step("reload stays signed out", async () => {
    await page.reload();
    await status.filter({ hasText: "Please sign up or log in." }).waitFor();
  });
  await page.screenshot({ path: `${artifacts}/spa-journey.png`, fullPage: true });

  await step("a foreign origin is refused", async () => {
    const foreign = await context.newPage();
    await foreign.goto(foreignUrl);
    const foreignStatus = foreign.locator("#status.error");
    await foreignStatus.waitFor();
    facts.foreignStatus = await foreignStatus.innerText();
  });
} finally {
  await browser.close();
}
console.log(JSON.stringify(facts));
