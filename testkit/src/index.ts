export * from './agent-process.ts';
export * from './child-process.ts';
export * from './chromium.ts';
export * from './free-port.ts';
export * from './hub-process.ts';
export * from './interruption-scenario.ts';
export * from './metrics-store-contract.ts';
export * from './nats-server.ts';
