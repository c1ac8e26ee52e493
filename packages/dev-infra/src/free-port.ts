/** Tests and dev tooling take free ports from the same helper the services use. */
export { freePort } from '@gyroscops/platform';
