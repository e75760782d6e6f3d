/**
 * Support chat: the assistant answers a ticket, streamed to the agent's screen.
 * Paying plans get Claude with the support policy cached (cache_control);
 * the free plan gets gpt-4o-mini (OpenAI caches the long policy on its own).
 */
import { recordOutcome, withAttribution } from '@aicost/node';
import { trace } from '@opentelemetry/api';
import { anthropic, openai } from '../clients.ts';
import { SUPPORT_POLICY, ticketText } from '../content.ts';
import type { Customer } from '../customers.ts';

const tracer = trace.getTracer('support-app');

/**
 * One ticket is one trace: the model call and the `ticket_resolved` outcome share it, so
 * aicost can tell what resolving a ticket costs (cost per outcome).
 */
export async function answerTicket(customer: Customer, n: number): Promise<string> {
  return withAttribution(
    { feature: 'support-chat', customer: customer.id, workflow: 'ticket-reply', segment: customer.plan },
    () =>
      tracer.startActiveSpan('answer ticket', async (span) => {
        try {
          const reply =
            customer.plan === 'free'
              ? await answerWithOpenAI(customer, n)
              : await answerWithClaude(customer, n);
          recordOutcome('ticket_resolved');
          return reply;
        } finally {
          span.end();
        }
      }),
  );
}

async function answerWithClaude(customer: Customer, n: number): Promise<string> {
  const stream = anthropic.messages.stream({
    model: 'claude-sonnet-4-6',
    max_tokens: 500,
    system: [{ type: 'text', text: SUPPORT_POLICY, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: ticketText(customer.id, n) }],
  });
  let reply = '';
  stream.on('text', (delta) => {
    reply += delta; // a real app would forward each delta to the agent's screen
  });
  await stream.finalMessage();
  return reply;
}

async function answerWithOpenAI(customer: Customer, n: number): Promise<string> {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    max_completion_tokens: 400,
    stream: true,
    // Without this, OpenAI streams carry no token counts and the call cannot be priced.
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: SUPPORT_POLICY },
      { role: 'user', content: ticketText(customer.id, n) },
    ],
  });
  let reply = '';
  for await (const chunk of stream) reply += chunk.choices[0]?.delta.content ?? '';
  return reply;
}
