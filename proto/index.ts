export * from './gen/ballast/v1/agent_gateway_pb.ts';
export { agentGatewayDefinition, AGENT_GATEWAY_CONNECT_PATH, decodeAgentMessage } from './grpc-definition.ts';
