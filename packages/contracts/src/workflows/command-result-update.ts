import { defineUpdate } from '@temporalio/workflow';

/**
 * The update a command's starter sends together with the start (Update-with-Start): it answers with
 * the command workflow's result once the workflow has one, or fails with the failure the workflow
 * fails with. Every command workflow on the command task queue accepts it, so one Temporal call
 * starts the command (or attaches to it) and brings its answer back, with no second long poll.
 */
export const commandResultUpdate = defineUpdate<unknown>('commandResult');

/**
 * The update id of one request for a command's answer. Each request sends its own (a repeat of the
 * command attaches to the same execution and waits on the same answer through its own update): an
 * update id Temporal has seen answers with that update's recorded outcome, even once the execution
 * closed, so a shared id would hand a repeat the failure of a run that it is meant to run again.
 */
export const commandResultUpdateId = (workflowId: string, requestId: string) => `${workflowId}/result/${requestId}`;
