/** The pure payment domain: money, commands, events, decide, evolve and the view. No I/O here. */
export * from './errors';
export * from './currencies';
export * from './money';
export * from './payment/commands';
export * from './payment/payment';
export * from './payment/decide';
export * from './payment/view';
