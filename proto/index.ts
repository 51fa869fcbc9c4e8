export * from './gen/ballast/v1/agent_gateway_pb.ts';
export { AGENT_GATEWAY_CONNECT_PATH, agentGatewayDefinition, decodeAgentMessage } from './grpc-definition.ts';
export { decodeBatchMessage, type SampleBatchColumns } from './sample-batch-decode.ts';
