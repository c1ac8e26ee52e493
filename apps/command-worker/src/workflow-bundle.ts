import { join } from 'node:path';
import { loadWorkflowBundle as load, writeWorkflowBundle } from '@gyroscops/platform/worker';

/** The entry point of this worker's workflow code. */
export const WORKFLOWS_PATH = require.resolve('./workflows');
/** Workflow interceptors of this worker, bundled with the platform's (tracing). */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('./workflows/command-metrics.interceptors'),
  require.resolve('./workflows/command-result.interceptors'),
];
const PREBUILT_BUNDLE = join(__dirname, 'workflows.bundle.js');

export const loadWorkflowBundle = () => load(WORKFLOWS_PATH, PREBUILT_BUNDLE, WORKFLOW_INTERCEPTOR_MODULES);

// `node dist/workflow-bundle.js` (the build's last step) writes the bundle.
if (require.main === module) {
  writeWorkflowBundle(WORKFLOWS_PATH, PREBUILT_BUNDLE, WORKFLOW_INTERCEPTOR_MODULES).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
