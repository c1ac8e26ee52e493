import { validate, ValidationCode, ValidationSeverity } from 'dockerfile-utils';

/** Every check dockerfile-utils can make, as an error: none of them is a matter of taste here. */
const EVERY_CHECK = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

export interface DockerfileProblem {
  /** dockerfile-utils' ValidationCode name, e.g. UNKNOWN_COPY_FLAG. */
  code: string;
  line: number;
  message: string;
}

/**
 * The Dockerfile validator of Docker's language server (dockerfile-utils, on dockerfile-ast): the
 * instructions and their arguments, flags, durations, ports, stage names, JSON forms and parser
 * directives, as the builder would refuse or warn about them, without a Docker engine.
 */
export function lintDockerfile(text: string): DockerfileProblem[] {
  return validate(text, EVERY_CHECK).map((diagnostic) => ({
    code: ValidationCode[diagnostic.code as ValidationCode] ?? String(diagnostic.code),
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
}
