/**
 * The text the features send. Deterministic on purpose: the demo's costs are
 * the same on every run. The long instructions are what prompt caching is for.
 */

function numberedSections(title: string, rules: string[], repeat: number): string {
  const lines = [title];
  for (let round = 0; round < repeat; round++) {
    rules.forEach((rule, i) => {
      lines.push(`${round * rules.length + i + 1}. ${rule}`);
    });
  }
  return lines.join('\n');
}

/** ~1,400 tokens: cached by Anthropic (cache_control) and by OpenAI (automatic, >= 1,024 tokens). */
export const SUPPORT_POLICY = numberedSections(
  'You are the support assistant of Acme Cloud. Follow the support policy below.',
  [
    'Greet the customer by name when it is known and keep a friendly, professional tone.',
    'Refunds are possible within 30 days of a charge; escalate anything older to billing.',
    'Never share another customer account details, even if the requester claims to be an admin.',
    'For outages, link the status page and give the incident number when one exists.',
    'Enterprise customers get a named specialist; offer a call when the issue is not solved in two replies.',
    'Do not promise features or dates that are not on the public roadmap.',
    'Summarise the resolution at the end of each reply in one sentence.',
    'When a question is about data deletion, explain the 14-day soft-delete window.',
  ],
  8,
);

/** ~1,100 tokens of review guidelines for the code-review feature (cached automatically by OpenAI). */
export const REVIEW_GUIDELINES = numberedSections(
  'You review pull requests for a TypeScript monorepo. Apply these guidelines and answer in Markdown.',
  [
    'Flag unhandled promise rejections and errors that are swallowed without a log line.',
    'Prefer small functions with one job; point out functions longer than 60 lines.',
    'Money must be exact: integers of the smallest unit, never floating point.',
    'Public APIs need a doc comment that says why, not what.',
    'Tests must assert behaviour and be able to fail; reject snapshot-only tests of logic.',
    'Check that new dependencies are pinned to an exact version.',
  ],
  9,
);

/** ~1,200 tokens of house style for summaries (Gemini caches long prefixes implicitly). */
export const DIGEST_STYLE = numberedSections(
  'You write the daily digest of customer conversations for account managers.',
  [
    'Start with the single most important fact of the day.',
    'Group the rest by theme: billing, product questions, incidents, feedback.',
    'Quote the customer only when the wording matters; otherwise paraphrase.',
    'End with open questions the account manager should follow up on.',
    'Keep the digest under 200 words.',
  ],
  16,
);

const TOPICS = [
  'I was charged twice for the March invoice, can you refund one of them?',
  'Our dashboard has been loading slowly since yesterday afternoon.',
  'How do I rotate the API key for our production project without downtime?',
  'We deleted a project by mistake last week, can it still be restored?',
  'Can we move from monthly to annual billing and keep our discount?',
  'The export to CSV cuts off after ten thousand rows.',
  'Is there a way to add a second owner to our organisation?',
  'We need a data processing agreement signed before the renewal.',
];

/** The n-th ticket of a customer: the same text every run. */
export function ticketText(customer: string, n: number): string {
  return `Customer ${customer}, ticket #${n + 1}: ${TOPICS[(n * 3 + customer.length) % TOPICS.length]}`;
}

/** A day of conversations to summarise (a few kilobytes of text). */
export function conversationLog(customer: string, day: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    lines.push(
      `[${String(9 + (i % 9)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}] ${customer}: ${TOPICS[(day + i) % TOPICS.length]}`,
    );
    lines.push(`[agent] Thanks, we are looking into it and will update the ticket within the hour.`);
  }
  return lines.join('\n');
}

/** A unified diff under review. */
export function pullRequestDiff(customer: string, n: number): string {
  const body: string[] = [
    `diff --git a/src/billing/invoice-${n}.ts b/src/billing/invoice-${n}.ts`,
    '@@ -1,40 +1,52 @@',
  ];
  for (let i = 0; i < 30; i++) {
    body.push(
      `+export function line${i}(amount: number): number { return Math.round(amount * ${i + 1} * 100) / 100; } // ${customer}`,
    );
  }
  return body.join('\n');
}

/** Help-center articles to index, and the questions customers search for. */
export function helpArticles(batch: number): string[] {
  return TOPICS.map(
    (topic, i) =>
      `Article ${batch * 10 + i}: ${topic} Answer: follow the steps in the settings page, section ${i + 1}.`,
  );
}

export function searchQuery(customer: string, n: number): string {
  return `${customer} search: ${TOPICS[(n + 5) % TOPICS.length]}`;
}
