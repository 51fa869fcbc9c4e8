export { SimAgentFleet, type SimAgentFleetOptions } from './sim-agent-fleet.ts';
export { SyntheticNodeCollector } from './synthetic-node-collector.ts';
