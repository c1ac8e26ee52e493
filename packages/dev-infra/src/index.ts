export * from './temporal-cli-version';
export * from './temporal-cli';
export * from './temporal-dev-server';
export * from './free-port';
export * from './testing/test-environment';
export * from './jest/test-run-env';
export * from './processes';
export * from './wait-for';
