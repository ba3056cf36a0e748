import {
  BedrockClient,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  type FoundationModelSummary,
  type InferenceProfileSummary,
} from '@aws-sdk/client-bedrock';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * Where Bedrock publishes what the catalog holds: lifecycle and inference profiles from its
 * control plane, prices from the AWS Price List API. Claude and other Marketplace models are
 * priced under the `AmazonBedrockFoundationModels` service code, Amazon's own and openly
 * licensed models (Nova, Llama, Pixtral) under `AmazonBedrock`; both are read.
 */
export const PRICE_LIST_SERVICE_CODES = ['AmazonBedrock', 'AmazonBedrockFoundationModels'] as const;
export type PriceListServiceCode = (typeof PRICE_LIST_SERVICE_CODES)[number];

export interface CatalogSourcesOptions {
  /** The Bedrock region whose models, profiles and prices are read. */
  readonly region: string;
  /** Another Bedrock control-plane endpoint (the emulator); otherwise the SDK's own resolution. */
  readonly bedrockEndpoint?: string | undefined;
  /** The Price List API's region: it is served from us-east-1, eu-central-1 and ap-south-1 only. */
  readonly pricingRegion?: string | undefined;
  readonly pricingEndpoint?: string | undefined;
  /** Static credentials (the emulator); otherwise the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | undefined;
}

/** The raw answers of the three APIs, untouched; what they mean for the catalog is decided elsewhere. */
export interface CatalogSources {
  readonly region: string;
  readonly foundationModels: readonly FoundationModelSummary[];
  /** System-defined (cross-region) profiles usable from the region. */
  readonly inferenceProfiles: readonly InferenceProfileSummary[];
  /** Price List products of the region (parsed from the JSON strings GetProducts returns), by service code. */
  readonly products: Readonly<Record<PriceListServiceCode, readonly unknown[]>>;
}

/**
 * Reads the control plane and the Price List for one region through the real SDK clients,
 * following every page. Read-only: needs `bedrock:ListFoundationModels`,
 * `bedrock:ListInferenceProfiles` and `pricing:GetProducts`.
 */
export async function readCatalogSources(options: CatalogSourcesOptions): Promise<CatalogSources> {
  const credentials = options.credentials === undefined ? {} : { credentials: options.credentials };
  const bedrock = new BedrockClient({
    region: options.region,
    ...(options.bedrockEndpoint === undefined ? {} : { endpoint: options.bedrockEndpoint }),
    ...credentials,
  });
  const pricing = new PricingClient({
    region: options.pricingRegion ?? 'us-east-1',
    ...(options.pricingEndpoint === undefined ? {} : { endpoint: options.pricingEndpoint }),
    ...credentials,
  });
  try {
    const [models, profiles, amazonBedrock, foundationModels] = await Promise.all([
      bedrock.send(new ListFoundationModelsCommand({ byOutputModality: 'TEXT' })),
      listSystemProfiles(bedrock),
      listProducts(pricing, 'AmazonBedrock', options.region),
      listProducts(pricing, 'AmazonBedrockFoundationModels', options.region),
    ]);
    return {
      region: options.region,
      foundationModels: models.modelSummaries ?? [],
      inferenceProfiles: profiles,
      products: { AmazonBedrock: amazonBedrock, AmazonBedrockFoundationModels: foundationModels },
    };
  } finally {
    bedrock.destroy();
    pricing.destroy();
  }
}

async function listSystemProfiles(client: BedrockClient): Promise<InferenceProfileSummary[]> {
  const profiles: InferenceProfileSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListInferenceProfilesCommand({ typeEquals: 'SYSTEM_DEFINED', maxResults: 1000, nextToken }),
    );
    profiles.push(...(page.inferenceProfileSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return profiles;
}

async function listProducts(
  client: PricingClient,
  serviceCode: PriceListServiceCode,
  region: string,
): Promise<unknown[]> {
  const products: unknown[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetProductsCommand({
        ServiceCode: serviceCode,
        FormatVersion: 'aws_v1',
        Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
        MaxResults: 100,
        NextToken: nextToken,
      }),
    );
    // Each product arrives as a JSON document in a string (the SDK may wrap it in a LazyJsonString).
    for (const item of page.PriceList ?? []) products.push(JSON.parse(String(item)) as unknown);
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return products;
}
