import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { type AgentMessage, AgentMessageSchema, type HubMessage, HubMessageSchema } from './gen/ballast/v1/agent_gateway_pb.ts';

export const AGENT_GATEWAY_CONNECT_PATH = '/ballast.v1.AgentGateway/Connect';

/**
 * grpc-js service definition for AgentGateway using protobuf-es messages.
 * The hub side receives raw bytes (requestDeserialize is the identity) so that it can
 * answer a malformed message with a clear INVALID_ARGUMENT instead of grpc-js's generic error.
 */
export const agentGatewayDefinition = {
  connect: {
    path: AGENT_GATEWAY_CONNECT_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: (m: AgentMessage | Uint8Array): Buffer =>
      m instanceof Uint8Array ? Buffer.from(m) : Buffer.from(toBinary(AgentMessageSchema, m)),
    requestDeserialize: (b: Buffer): Uint8Array => b,
    responseSerialize: (m: HubMessage): Buffer => Buffer.from(toBinary(HubMessageSchema, m)),
    responseDeserialize: (b: Buffer): HubMessage => fromBinary(HubMessageSchema, b),
  },
} satisfies ServiceDefinition;

export function decodeAgentMessage(bytes: Uint8Array): AgentMessage {
  return fromBinary(AgentMessageSchema, bytes);
}
