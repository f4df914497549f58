// Verifies one webhook the way a Berth user would: with the official OpenAI Node SDK's
// webhooks.unwrap(). Usage: node verify-webhook.mjs <secret> <body-file> <headers-json-file>
// Prints the unwrapped event as JSON and exits 0, or prints the SDK's error and exits 1.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';

const [secret, bodyFile, headersFile] = process.argv.slice(2);
const body = readFileSync(bodyFile, 'utf8');
const headers = JSON.parse(readFileSync(headersFile, 'utf8'));
const client = new OpenAI({ apiKey: 'not-used', webhookSecret: secret });

try {
  const event = await client.webhooks.unwrap(body, headers);
  console.log(JSON.stringify(event));
} catch (error) {
  console.error(`${error.name}: ${error.message}`);
  process.exit(1);
}
