export { Hub, HUB_VERSION } from './hub.ts';
export { HUB_CONFIG, type HubConfig } from './config/hub-config.ts';
