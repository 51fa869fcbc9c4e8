export { SimAgentFleet, type SimAgentFleetOptions } from './sim-agent-fleet.ts';
export { type NodeShape, SyntheticNodeCollector } from './synthetic-node-collector.ts';
