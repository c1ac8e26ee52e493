/** The pure payment and billing domain: money, commands, events, decide, evolve and views. No I/O here. */
export * from './errors';
export * from './currencies';
export * from './money';
export * from './payment/commands';
export * from './payment/payment';
export * from './payment/decide';
export * from './payment/view';
export * from './billing';
