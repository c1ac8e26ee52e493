/** Every workflow the query worker hosts: this file is the bundle's entry point. */
export { eventTypeReportWorkflow } from './event-type-report.workflow';
export { reportWorkflow } from './report.workflow';
