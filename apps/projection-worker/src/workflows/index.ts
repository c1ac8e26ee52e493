/** Every workflow the projection worker hosts: this file is the bundle's entry point. */
export { projectionWorkflow } from './projection.workflow';
export { projectionRebuildWorkflow } from './projection-rebuild.workflow';
