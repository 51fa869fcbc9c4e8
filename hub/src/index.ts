export { HUB_CONFIG, type HubConfig } from './config/hub-config.ts';
export { HUB_VERSION, Hub } from './hub.ts';
