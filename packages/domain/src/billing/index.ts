/** The pure billing domain: plans, usage, billing cycles, invoices, dunning and account standing. */
export * from './instant';
export * from './duration';
export * from './decimal-quantity';
export * from './plan';
export * from './usage';
export * from './pricing';
export * from './dunning';
export * from './invoice-identity';
export * from './organization-billing-commands';
export * from './organization-billing';
export * from './decide-organization-billing';
export * from './invoice-commands';
export * from './invoice';
export * from './decide-invoice';
export * from './invoice-view';
export * from './organization-account';
export * from './decide-organization-account';
