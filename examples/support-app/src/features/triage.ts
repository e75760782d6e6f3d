/**
 * Ticket triage on Mistral: a small, cheap model puts every incoming ticket in
 * a queue before anyone (or any bigger model) answers it.
 */
import { withAttribution } from '@aicost/node';
import { mistral } from '../clients.ts';
import { ticketText } from '../content.ts';
import type { Customer } from '../customers.ts';

const QUEUES = 'billing, outage, account, data-request, other';

export async function triageTicket(customer: Customer, n: number): Promise<string> {
  return withAttribution(
    { feature: 'ticket-triage', customer: customer.id, workflow: 'ticket-reply' },
    async () => {
      const response = await mistral.chat.complete({
        model: 'mistral-small-latest',
        maxTokens: 40,
        messages: [
          {
            role: 'system',
            content: `Classify the ticket into one of: ${QUEUES}. Answer with the queue and one reason.`,
          },
          { role: 'user', content: ticketText(customer.id, n) },
        ],
      });
      const content = response.choices[0]?.message?.content;
      return typeof content === 'string' ? content : '';
    },
  );
}
