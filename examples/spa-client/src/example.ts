/**
 * The integration in a few lines: sign in, list unpaid invoices, order one catalog product.
 * Written for a page served from an origin listed in the BFF's `BFF_CORS_ORIGINS`.
 */
import { ApiError, createPortalClient, type PortalClient, type Schemas } from "./client.js";

function firstOrderLine(products: Schemas["Product"][]): Schemas["OrderLineRequest"] {
  for (const product of products) {
    const price = product.prices[0];
    if (price) return { sku: product.sku, quantity: 1, billingCycle: price.billingCycle };
  }
  throw new Error("the catalog has no priced product");
}

export interface ExampleResult {
  user: Schemas["AuthUser"];
  unpaidInvoices: Schemas["Invoice"][];
  order: Schemas["Order"];
}

export async function runExample(
  client: PortalClient,
  email: string,
  password: string,
): Promise<ExampleResult> {
  const user = (await client.resume()) ?? (await client.signIn(email, password));
  console.info(`signed in as ${user.firstName} ${user.lastName}`);

  const unpaid = await client.listInvoices("unpaid");
  for (const invoice of unpaid.items) {
    console.info(`invoice ${invoice.number}: ${invoice.balance.amount} ${invoice.balance.currency} due ${invoice.dueOn}`);
  }

  const catalog = await client.listProducts();
  const idempotencyKey = crypto.randomUUID();
  const line = firstOrderLine(catalog.items);
  let order: Schemas["Order"];
  try {
    order = await client.placeOrder([line], idempotencyKey);
  } catch (error) {
    // A lost answer (network failure, gateway error) is safe to retry with the same key:
    // if the first request did create the order, the BFF replays it instead of a second.
    const lost = error instanceof TypeError || (error instanceof ApiError && error.status >= 502);
    if (lost) {
      order = await client.placeOrder([line], idempotencyKey);
    } else {
      throw error;
    }
  }
  console.info(`order ${order.orderNumber} is ${order.status}: ${order.total.amount} ${order.total.currency}`);
  return { user, unpaidInvoices: unpaid.items, order };
}

export function exampleClient(baseUrl: string): PortalClient {
  return createPortalClient({ baseUrl });
}
