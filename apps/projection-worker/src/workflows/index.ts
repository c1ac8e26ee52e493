/** Every workflow the projection worker hosts: this file is the bundle's entry point. */
import type {
  PROJECTION_REBUILD_WORKFLOW,
  PROJECTION_WORKFLOW,
  WorkflowImplementations,
} from '@gyroscops/contracts/workflows';
import * as rebuild from './projection-rebuild.workflow';
import * as projection from './projection.workflow';

/*
 * Checked against the contracts the starters use: each workflow is exported under its declared name
 * (Temporal registers a bundle's exports by name) with its declared input and result types.
 */
export const { projectionWorkflow, projectionRebuildWorkflow } = {
  projectionWorkflow: projection.projectionWorkflow,
  projectionRebuildWorkflow: rebuild.projectionRebuildWorkflow,
} satisfies WorkflowImplementations<typeof PROJECTION_WORKFLOW | typeof PROJECTION_REBUILD_WORKFLOW>;
