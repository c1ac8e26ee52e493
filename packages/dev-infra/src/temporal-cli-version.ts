/**
 * The one place the Temporal CLI version is pinned. v1.5.1 is the last tag that
 * `go install` accepts (later tags carry `replace` directives in go.mod).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
