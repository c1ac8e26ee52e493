/** Every workflow the query worker hosts: this file is the bundle's entry point. */
import type { REPORT_WORKFLOW, WorkflowImplementations } from '@gyroscops/contracts/workflows';
import * as report from './report.workflow';

/*
 * Checked against the contracts the starters use: each workflow is exported under its declared name
 * (Temporal registers a bundle's exports by name) with its declared input and result types.
 */
export const { reportWorkflow } = { reportWorkflow: report.reportWorkflow } satisfies WorkflowImplementations<
  typeof REPORT_WORKFLOW
>;
