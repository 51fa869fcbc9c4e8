export { AGENT_VERSION, Agent, type AgentStats } from './agent.ts';
export type { Collector, Sample } from './collectors/collector.ts';
export { NodeCollector } from './collectors/node-collector.ts';
export { AGENT_CONFIG, type AgentConfig } from './config/agent-config.ts';
export { GrpcTransport } from './transport/grpc-transport.ts';
export type { Transport, TransportSession } from './transport/transport.ts';
