import manifest from '../../package.json';

export const TOOL_NAME: string = manifest.name;
export const TOOL_VERSION: string = manifest.version;
