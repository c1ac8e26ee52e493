import type { MigrationSet } from '@gyroscops/platform';
import * as createSimulatedGatewayCharges from './2026-11-23T000200_create_simulated_gateway_charges';
import * as createSimulatedGatewayRefunds from './2026-12-06T000100_create_simulated_gateway_refunds';

export const simulatedGatewayMigrations: MigrationSet = {
  name: 'simulated_gateway',
  migrations: {
    '2026-11-23T000200_create_simulated_gateway_charges': createSimulatedGatewayCharges,
    '2026-12-06T000100_create_simulated_gateway_refunds': createSimulatedGatewayRefunds,
  },
};
