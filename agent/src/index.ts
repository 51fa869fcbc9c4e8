export { Agent, AGENT_VERSION, type AgentStats } from './agent.ts';
export { AGENT_CONFIG, type AgentConfig } from './config/agent-config.ts';
export { GrpcTransport } from './transport/grpc-transport.ts';
export type { Transport, TransportSession } from './transport/transport.ts';
export type { Collector, Sample } from './collectors/collector.ts';
export { NodeCollector } from './collectors/node-collector.ts';
