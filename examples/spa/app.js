// @ts-check
/**
 * The demo SPA: plain browser JavaScript, no framework and no build step. It runs on its
 * own origin and calls the BFF cross-origin, as the real portal does.
 *
 * - The access token lives in memory only. After a reload the page gets a new one from
 *   POST /api/auth/refresh, which the browser authenticates with the HttpOnly
 *   `bff_refresh` cookie (every call uses `credentials: "include"`).
 * - Calls that rely on that cookie send a JSON body, which is the BFF's CSRF proof.
 * - An order's Idempotency-Key is made once per click, so a retry cannot order twice.
 *
 * `make ts-check` type-checks this file against the types generated from the spec.
 *
 * @typedef {import("../spa-client/src/api").components["schemas"]} Schemas
 * @typedef {Schemas["AuthUser"]} AuthUser
 * @typedef {Schemas["Product"]} Product
 * @typedef {Schemas["OrderSummary"]} OrderSummary
 * @typedef {{ accessToken: string, user: AuthUser }} Session
 */

/** The BFF's origin: `?api=` of this page, else the `make dev` default. */
const API = new URL(location.href).searchParams.get("api") ?? "http://127.0.0.1:8000";

/** @type {Session | null} */
let session = null;

class ApiError extends Error {
  /** @param {number} status @param {Partial<Schemas["Problem"]>} problem */
  constructor(status, problem) {
    super(problem.code ? `${problem.code}: ${problem.detail ?? ""}` : `HTTP ${status}`);
    this.status = status;
  }
}

/**
 * @param {"GET" | "POST"} method
 * @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>} the parsed body; callers name its schema
 */
async function call(method, path, { body, headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (session) sent.Authorization = `Bearer ${session.accessToken}`;
  const response = await fetch(API + path, {
    method,
    headers: sent,
    credentials: "include",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new ApiError(response.status, data ?? {});
  return data;
}

/** @param {Schemas["AuthResponse"]} auth */
function adopt(auth) {
  session = { accessToken: auth.accessToken, user: auth.user };
}

/** Restores the session from the refresh cookie; false when there is none. */
async function resume() {
  try {
    /** @type {Schemas["RefreshRequest"]} */
    const body = {};
    adopt(await call("POST", "/api/auth/refresh", { body }));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false;
    throw error;
  }
}

/** @param {string} text @param {boolean} [isError] */
function say(text, isError = false) {
  const status = element("status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

/** @param {string} id */
function element(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found;
}

/** @param {string} tag @param {string} text @param {string} [className] */
function make(tag, text, className) {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** @param {Schemas["Money"]} money */
const formatMoney = (money) => `${money.amount} ${money.currency}`;

async function showCatalog() {
  /** @type {Schemas["ProductPage"]} */
  const page = await call("GET", "/api/catalog/products?pageSize=100");
  const list = element("catalog");
  list.replaceChildren(
    ...page.items.map((product) => {
      const item = document.createElement("li");
      item.dataset.sku = product.sku;
      const price = product.prices[0];
      item.append(make("span", product.name, "name"));
      if (price) {
        item.append(make("span", `${formatMoney(price.price)} / ${price.billingCycle}`));
        const button = make("button", "Order");
        button.addEventListener("click", () => void placeOrder(product.sku, price.billingCycle));
        item.append(button);
      }
      return item;
    }),
  );
}

async function showOrders() {
  /** @type {Schemas["OrderPage"]} */
  const page = await call("GET", "/api/orders");
  element("orders").replaceChildren(
    ...page.items.map((/** @type {OrderSummary} */ order) => {
      const item = document.createElement("li");
      item.dataset.orderId = order.id;
      item.append(
        make("span", order.orderNumber, "name"),
        make("span", order.status, "order-status"),
        make("span", formatMoney(order.total)),
      );
      return item;
    }),
  );
}

/** @param {string} sku @param {Schemas["OrderLineRequest"]["billingCycle"]} billingCycle */
async function placeOrder(sku, billingCycle) {
  /** @type {Schemas["OrderRequest"]} */
  const body = { items: [{ sku, quantity: 1, billingCycle }] };
  const headers = { "Idempotency-Key": crypto.randomUUID() };
  await guarded(async () => {
    /** @type {Schemas["Order"]} */
    const order = await call("POST", "/api/orders", { body, headers });
    await showOrders();
    say(`Order ${order.orderNumber} placed (${order.status}).`);
  });
}

async function showSignedIn() {
  if (!session) throw new Error("no session");
  element("whoami").textContent = session.user.email;
  element("signed-out").hidden = true;
  element("signed-in").hidden = false;
  await Promise.all([showCatalog(), showOrders()]);
  say(`Welcome, ${session.user.firstName}.`);
}

function showSignedOut() {
  session = null;
  element("signed-in").hidden = true;
  element("signed-out").hidden = false;
}

/** Runs a user action; a failure is shown, never thrown into the console only. */
async function guarded(/** @type {() => Promise<void>} */ action) {
  try {
    await action();
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), true);
  }
}

/** @param {HTMLFormElement} form */
function fields(form) {
  /** @type {Record<string, string>} */
  const values = {};
  new FormData(form).forEach((value, key) => {
    values[key] = String(value);
  });
  return values;
}

/** @param {string} id @param {(values: Record<string, string>) => Promise<void>} handler */
function onSubmit(id, handler) {
  const form = /** @type {HTMLFormElement} */ (element(id));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => handler(fields(form)));
  });
}

onSubmit("signup-form", async (v) => {
  /** @type {Schemas["SignupRequest"]} */
  const body = {
    email: v.email ?? "",
    password: v.password ?? "",
    firstName: v.firstName ?? "",
    lastName: v.lastName ?? "",
    phone: v.phone ?? "",
    address: {
      postcode: v.postcode ?? "",
      prefecture: v.prefecture ?? "",
      city: v.city ?? "",
      street: v.street ?? "",
      country: "JP",
    },
  };
  adopt(await call("POST", "/api/auth/signup", { body }));
  await showSignedIn();
});

onSubmit("login-form", async (v) => {
  /** @type {Schemas["LoginRequest"]} */
  const body = { email: v.email ?? "", password: v.password ?? "" };
  adopt(await call("POST", "/api/auth/login", { body }));
  await showSignedIn();
});

element("logout").addEventListener("click", () => {
  void guarded(async () => {
    /** @type {Schemas["LogoutRequest"]} */
    const body = {};
    await call("POST", "/api/auth/logout", { body });
    showSignedOut();
    say("Signed out.");
  });
});

element("api-origin").textContent = `API: ${API}`;
void guarded(async () => {
  if (await resume()) {
    await showSignedIn();
  } else {
    showSignedOut();
    say("Please sign up or log in.");
  }
});
