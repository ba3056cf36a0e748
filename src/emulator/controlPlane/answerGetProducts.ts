import { z } from 'zod';
import priceList from './priceList.json' with { type: 'json' };
import { PricingError } from './PricingError.js';

/** Price List products as the fixture keeps them: one JSON object per SKU, by service code. */
type Product = { readonly product: { readonly attributes: Readonly<Record<string, string>>; readonly sku: string } };
const PRODUCTS: Readonly<Record<string, readonly Product[]>> = priceList as unknown as Record<string, Product[]>;

const requestSchema = z.object({
  ServiceCode: z.string().min(1),
  Filters: z
    .array(
      z.object({
        Type: z.enum(['TERM_MATCH', 'EQUALS', 'CONTAINS', 'ANY_OF', 'NONE_OF']),
        Field: z.string().min(1),
        Value: z.string(),
      }),
    )
    .optional(),
  FormatVersion: z.string().optional(),
  NextToken: z.string().optional(),
  MaxResults: z.number().int().min(1).max(100).optional(),
});

type Filter = NonNullable<z.infer<typeof requestSchema>['Filters']>[number];

function fieldValue(product: Product, field: string): string | undefined {
  if (field === 'sku') return product.product.sku;
  const key = Object.keys(product.product.attributes).find((k) => k.toLowerCase() === field.toLowerCase());
  return key === undefined ? undefined : product.product.attributes[key];
}

/** The Price List API matches attribute values without regard to case. */
function matches(product: Product, filter: Filter): boolean {
  const value = fieldValue(product, filter.Field)?.toLowerCase();
  const wanted = filter.Value.toLowerCase();
  const list = wanted.split(',').map((v) => v.trim());
  switch (filter.Type) {
    case 'TERM_MATCH':
    case 'EQUALS':
      return value === wanted;
    case 'CONTAINS':
      return value !== undefined && value.includes(wanted);
    case 'ANY_OF':
      return value !== undefined && list.includes(value);
    case 'NONE_OF':
      return value === undefined || !list.includes(value);
    default: {
      const never: never = filter.Type;
      return never;
    }
  }
}

/**
 * `GetProducts` of the AWS Price List Query API (JSON 1.1, `AWSPriceListService.GetProducts`), answered from
 * fixtures: each product is sent as a JSON string inside `PriceList`, as the real API does, paged by
 * `MaxResults` (default and maximum 100) and `NextToken`.
 */
export function answerGetProducts(body: unknown): unknown {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    throw new PricingError('InvalidParameterException', `Input validation errors: ${parsed.error.issues[0]!.message}`);
  }
  const request = parsed.data;
  if (request.FormatVersion !== undefined && request.FormatVersion !== 'aws_v1') {
    throw new PricingError('InvalidParameterException', `Unsupported FormatVersion ${request.FormatVersion}.`);
  }
  const products = (PRODUCTS[request.ServiceCode] ?? []).filter((p) =>
    (request.Filters ?? []).every((f) => matches(p, f)),
  );
  const size = request.MaxResults ?? 100;
  const start = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
  const page = products.slice(start, start + size);
  const next = start + size < products.length ? encodeToken(start + size) : undefined;
  return {
    FormatVersion: 'aws_v1',
    PriceList: page.map((p) => JSON.stringify(p)),
    ...(next === undefined ? {} : { NextToken: next }),
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (match === null) throw new PricingError('InvalidNextTokenException', 'The pagination token is invalid.');
  return Number(match[1]);
}
