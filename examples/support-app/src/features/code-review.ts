/**
 * Code review on gpt-4.1: one request per pull request, guidelines in the
 * system prompt (long and identical across requests, so OpenAI caches them).
 */
import { withAttribution } from '@aicost/node';
import { openai } from '../clients.ts';
import { pullRequestDiff, REVIEW_GUIDELINES } from '../content.ts';
import type { Customer } from '../customers.ts';

export async function reviewPullRequest(customer: Customer, n: number): Promise<string> {
  return withAttribution(
    { feature: 'code-review', customer: customer.id, workflow: 'pull-request' },
    async () => {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4.1',
        max_completion_tokens: 800,
        messages: [
          { role: 'system', content: REVIEW_GUIDELINES },
          { role: 'user', content: pullRequestDiff(customer.id, n) },
        ],
      });
      return completion.choices[0]?.message.content ?? '';
    },
  );
}
