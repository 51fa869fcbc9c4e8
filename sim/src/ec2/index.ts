export { type Allocation, type AllocationStrategy, allocate, type CandidatePool, HIGH_CAPACITY_SHARE, orderPools } from './allocation.ts';
export type { ActionHandler, Ec2Context } from './context.ts';
export { EC2_ACTIONS, type Ec2Server, type Ec2ServerOptions, startEc2Server } from './ec2-server.ts';
export { Ec2Error } from './errors.ts';
export { QueryParams } from './query-parser.ts';
export { BUILT_IN_IMAGE_IDS, seedAccount } from './seed.ts';
export { ACCOUNT_ID, Ec2State, type Image, type InstanceMeta, REGION, type Snapshot, type Volume, VPC_ID } from './state.ts';
