// The presenters are per feature now (users/, groups/, discovery.presenters.ts; what resources share in
// resource/resource.presenters.ts, attribute projection in resource/projection.ts). This re-export stays only
// because access/tokens.ts and access/access.service.ts (another engineer's area this wave) import
// scimBaseUrl from here: point them at resource/resource.presenters.js and delete this file.
export { scimBaseUrl } from './resource/resource.presenters.js';
