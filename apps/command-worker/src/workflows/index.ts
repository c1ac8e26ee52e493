/** Every workflow the command worker hosts: this file is the bundle's entry point. */
export { paymentCommandWorkflow } from './payment-command.workflow';
