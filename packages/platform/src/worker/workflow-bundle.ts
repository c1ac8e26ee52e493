import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};

/**
 * Workflow interceptor modules every bundle carries: tracing (inert unless a workflow's start
 * carried a trace context). A worker given a bundle ignores `interceptors.workflowModules`, so they
 * must be bundled in.
 */
const PLATFORM_WORKFLOW_INTERCEPTORS = [require.resolve('./workflow-tracing.interceptors')];

/**
 * Production workers load the bundle the build wrote (no webpack at start-up, about 3 s saved);
 * a worker run from sources bundles on the fly. `interceptorModules` adds a worker's own workflow
 * interceptors to the platform's.
 */
export async function loadWorkflowBundle(
  workflowsPath: string,
  prebuiltBundlePath: string,
  interceptorModules: string[] = [],
): Promise<WorkflowBundleOption> {
  if (existsSync(prebuiltBundlePath)) return { codePath: prebuiltBundlePath };
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...PLATFORM_WORKFLOW_INTERCEPTORS, ...interceptorModules],
    logger: quietBundlerLogger,
  });
}

/** Bundles a worker's workflow code, with the same interceptor modules, into one file (run by the app's build). */
export async function writeWorkflowBundle(
  workflowsPath: string,
  outputPath: string,
  interceptorModules: string[] = [],
): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...PLATFORM_WORKFLOW_INTERCEPTORS, ...interceptorModules],
    logger: quietBundlerLogger,
  });
  await writeFile(outputPath, code);
}
