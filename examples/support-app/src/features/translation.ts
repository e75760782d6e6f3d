/**
 * Reply translation on Cohere: customers who do not write in English get the
 * support reply in their language, streamed like the reply itself.
 */
import { withAttribution } from '@aicost/node';
import { cohere } from '../clients.ts';
import { ticketText } from '../content.ts';
import type { Customer } from '../customers.ts';

export async function translateReply(customer: Customer, n: number): Promise<string> {
  return withAttribution(
    { feature: 'reply-translation', customer: customer.id, workflow: 'ticket-reply' },
    async () => {
      const stream = await cohere.chatStream({
        model: 'command-r7b-12-2024',
        maxTokens: 300,
        messages: [
          {
            role: 'user',
            content: `Translate this support reply into ${customer.language}:\nWe are looking into: ${ticketText(customer.id, n)}`,
          },
        ],
      });
      let translated = '';
      for await (const event of stream) {
        if (event.type === 'content-delta') translated += event.delta?.message?.content?.text ?? '';
      }
      return translated;
    },
  );
}
