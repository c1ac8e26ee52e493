/** Every workflow the projection worker hosts: this file is the bundle's entry point. */
export { projectionWorkflow } from './projection.workflow';
