/**
 * Summarization on Gemini: the nightly digest of each customer's conversations
 * (one request per day, batch job) and the on-demand summary an account manager
 * asks for (streamed).
 */
import { withAttribution } from '@aicost/node';
import { gemini } from '../clients.ts';
import { conversationLog, DIGEST_STYLE } from '../content.ts';
import type { Customer } from '../customers.ts';

export async function nightlyDigest(customer: Customer, day: number): Promise<string> {
  return withAttribution(
    { feature: 'summarization', customer: customer.id, workflow: 'nightly-digest' },
    async () => {
      const response = await gemini.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: conversationLog(customer.id, day),
        config: { systemInstruction: DIGEST_STYLE, maxOutputTokens: 300 },
      });
      return response.text ?? '';
    },
  );
}

export async function summaryOnDemand(customer: Customer, day: number): Promise<string> {
  return withAttribution(
    { feature: 'summarization', customer: customer.id, workflow: 'on-demand' },
    async () => {
      const stream = await gemini.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: `Summarise for the account manager:\n${conversationLog(customer.id, day)}`,
        config: { maxOutputTokens: 200, thinkingConfig: { thinkingBudget: 0 } },
      });
      let summary = '';
      for await (const chunk of stream) summary += chunk.text ?? '';
      return summary;
    },
  );
}
