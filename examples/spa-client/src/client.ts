/**
 * A small browser client of the portal BFF, typed end to end by `src/api.d.ts`, which
 * `npm run generate` writes from the committed `openapi/openapi.json`. A renamed field, a
 * removed path or a changed body in the spec makes `tsc --noEmit` fail here.
 *
 * Session model (API-CONTRACT.md, "Auth"): the access token lives only in memory; the
 * refresh token is the HttpOnly `bff_refresh` cookie, which the browser sends to
 * `/api/auth/*` because every call uses `credentials: "include"`. A cookie-authenticated
 * call must carry a JSON content type (the BFF's CSRF rule), so refresh and logout always
 * send a JSON body, even an empty one.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./api.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type AuthUser = Schemas["AuthUser"];
export type OrderLine = Schemas["OrderLineRequest"];
/** Read off the path, so a renamed enum schema does not matter. */
export type InvoiceStatusFilter = NonNullable<
  NonNullable<paths["/api/invoices"]["get"]["parameters"]["query"]>["status"]
>;

/** A non-2xx answer; `problem` is the RFC 9457 body when the BFF sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${status} ${problem.code}: ${problem.detail}` : `HTTP ${status}`);
    this.name = "ApiError";
  }
}

export interface PortalClientOptions {
  /** Origin of the BFF, e.g. `https://api.portal.example.jp`. */
  baseUrl: string;
  /** Refresh this long before the access token expires, so no call is sent with a stale one. */
  refreshMarginMs?: number;
}

interface Session {
  accessToken: string;
  expiresAt: number;
  user: AuthUser;
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "code" in body && "status" in body;
}

function unwrap<T>({ data, error, response }: Outcome<T>): T {
  if (response.ok && data !== undefined) return data;
  throw new ApiError(response.status, isProblem(error) ? error : undefined);
}

export function createPortalClient({ baseUrl, refreshMarginMs = 30_000 }: PortalClientOptions) {
  // Token endpoints go through their own client: the bearer middleware below must not
  // try to refresh while it is refreshing.
  const tokens = createClient<paths>({ baseUrl, credentials: "include" });
  const api = createClient<paths>({ baseUrl, credentials: "include" });
  let session: Session | undefined;
  let pendingRefresh: Promise<AuthUser | undefined> | undefined;

  function adopt(auth: Schemas["AuthResponse"]): AuthUser {
    session = {
      accessToken: auth.accessToken,
      expiresAt: Date.now() + auth.expiresIn * 1000,
      user: auth.user,
    };
    return auth.user;
  }

  async function refreshOnce(): Promise<AuthUser | undefined> {
    const result = await tokens.POST("/api/auth/refresh", { body: {} });
    if (result.response.status === 401) {
      session = undefined; // no cookie, expired, or revoked: signed out
      return undefined;
    }
    return adopt(unwrap(result));
  }

  /**
   * Restores the session from the refresh cookie (after a page load) or renews the access
   * token. Calls made at the same moment share one refresh, so one rotation happens.
   */
  function resume(): Promise<AuthUser | undefined> {
    pendingRefresh ??= refreshOnce().finally(() => {
      pendingRefresh = undefined;
    });
    return pendingRefresh;
  }

  const bearer: Middleware = {
    async onRequest({ request }) {
      if (session && session.expiresAt - Date.now() < refreshMarginMs) await resume();
      if (session) request.headers.set("Authorization", `Bearer ${session.accessToken}`);
      return request;
    },
  };
  api.use(bearer);

  return {
    get user(): AuthUser | undefined {
      return session?.user;
    },
    resume,

    async signIn(email: string, password: string): Promise<AuthUser> {
      return adopt(unwrap(await tokens.POST("/api/auth/login", { body: { email, password } })));
    },

    async signUp(body: Schemas["SignupRequest"]): Promise<AuthUser> {
      return adopt(unwrap(await tokens.POST("/api/auth/signup", { body })));
    },

    async signOut(): Promise<void> {
      const { response } = await tokens.POST("/api/auth/logout", { body: {} });
      session = undefined;
      if (!response.ok) throw new ApiError(response.status, undefined);
    },

    async listInvoices(status?: InvoiceStatusFilter): Promise<Schemas["InvoicePage"]> {
      const query = status === undefined ? {} : { status };
      return unwrap(await api.GET("/api/invoices", { params: { query } }));
    },

    async listProducts(): Promise<Schemas["ProductPage"]> {
      return unwrap(await api.GET("/api/catalog/products", { params: { query: { pageSize: 100 } } }));
    },

    async listOrders(): Promise<Schemas["OrderPage"]> {
      return unwrap(await api.GET("/api/orders"));
    },

    /**
     * Places an order. Keep `idempotencyKey` for the user's one intent: sending it again
     * after a network error returns the first order instead of placing a second one.
     */
    async placeOrder(
      items: OrderLine[],
      idempotencyKey: string = crypto.randomUUID(),
    ): Promise<Schemas["Order"]> {
      return unwrap(
        await api.POST("/api/orders", {
          params: { header: { "Idempotency-Key": idempotencyKey } },
          body: { items },
        }),
      );
    },
  };
}

export type PortalClient = ReturnType<typeof createPortalClient>;
