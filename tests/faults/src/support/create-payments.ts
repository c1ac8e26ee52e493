import { randomUUID } from 'node:crypto';
import { request, type CommandResult } from './http';
import { waitFor } from '@gyroscops/dev-infra';

/**
 * The result of a command the command-api answered: a 201 carries it; a 202 (the command outlived
 * COMMAND_RESULT_TIMEOUT_MS, as it may on a loaded machine) is followed at /commands/{id} until done.
 */
export async function commandResultOf(
  commandUrl: string,
  answer: { status: number; body: any; text: string },
): Promise<CommandResult> {
  if (answer.status === 201 || answer.status === 200) return answer.body as CommandResult;
  if (answer.status !== 202) throw new Error(`the command answered ${answer.status}: ${answer.text}`);
  const commandId = answer.body.commandId as string;
  const final = await waitFor(
    `command ${commandId} to finish`,
    async () => {
      const state = await request<{ state: string; result?: CommandResult; error?: unknown }>(
        commandUrl,
        'GET',
        `/commands/${commandId}`,
      );
      return state.status === 200 && state.body.state !== 'running' ? state.body : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  if (final.state !== 'completed' || !final.result)
    throw new Error(`command ${commandId} ended ${JSON.stringify(final)}`);
  return final.result;
}

/** Creates `count` payments through the command-api, a few at a time; each must succeed. */
export async function createPayments(
  commandUrl: string,
  count: number,
  { concurrency = 4, organizationId = 'org-fault-a' } = {},
): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const answer = await request(commandUrl, 'POST', '/payments', {
        json: {
          organizationId,
          amount: `${10 + index}.50`,
          currency: index % 3 === 0 ? 'USD' : 'EUR',
          description: `payment ${index}`,
          paymentId: randomUUID(),
        },
      });
      results.push(await commandResultOf(commandUrl, answer));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
