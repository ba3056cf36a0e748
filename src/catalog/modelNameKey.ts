/**
 * A model name as both Bedrock APIs can agree on it. The control plane says `Nova 2 Lite`,
 * `Pixtral Large (25.02)`, `Llama 4 Maverick 17B Instruct`; the Price List says `Nova 2.0 Lite`,
 * `Pixtral Large 25.02`, `Llama 4 Maverick 17B`, `Claude Sonnet 4.6 (Amazon Bedrock Edition)`.
 */
export function modelNameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\(amazon bedrock edition\)/g, '')
    .replace(/\binstruct\b/g, '')
    .replace(/(\d)\.0\b/g, '$1')
    .replace(/[^a-z0-9]/g, '');
}
