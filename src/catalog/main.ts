import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { runCatalogUpdate } from './runCatalogUpdate.js';

const USAGE = `npm run catalog:update -- [options]

Reads Bedrock's ListFoundationModels and ListInferenceProfiles and the AWS Price List
(GetProducts, AmazonBedrock and AmazonBedrockFoundationModels) for one region, writes the
entries that differ from the built-in catalog to the override file and prints the diff.
Credentials: the AWS SDK's default chain (read-only permissions are enough).

  --region <r>            Bedrock region to read (default AWS_REGION, else us-east-1)
  --out <file>            override file to write (default MODEL_CATALOG_FILE, else model-catalog.json)
  --endpoint <url>        one endpoint for both APIs (the emulator: npm run emulator)
  --bedrock-endpoint <u>  Bedrock control-plane endpoint only
  --pricing-endpoint <u>  Price List endpoint only
  --pricing-region <r>    Price List region (us-east-1, eu-central-1 or ap-south-1; default us-east-1)
  --as-of <YYYY-MM-DD>    date written as each entry's asOf (default today)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      region: { type: 'string' },
      out: { type: 'string' },
      endpoint: { type: 'string' },
      'bedrock-endpoint': { type: 'string' },
      'pricing-endpoint': { type: 'string' },
      'pricing-region': { type: 'string' },
      'as-of': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  const result = await runCatalogUpdate({
    region: values.region ?? config.bedrock.region,
    outPath: values.out ?? config.bedrock.modelCatalogFile ?? 'model-catalog.json',
    bedrockEndpoint: values['bedrock-endpoint'] ?? values.endpoint,
    pricingEndpoint: values['pricing-endpoint'] ?? values.endpoint,
    pricingRegion: values['pricing-region'],
    asOf: values['as-of'],
  });
  console.log(result.report);
}

main().catch((error: unknown) => {
  console.error(`catalog:update failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
