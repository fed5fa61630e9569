import type { Command } from '../command.js';
import { tenantCreate } from './tenant-create.js';
import { userCreate } from './user-create.js';
import { apikeyCreate } from './apikey-create.js';
import { dbMigrate } from './db-migrate.js';
import { dbBackup } from './db-backup.js';
import { dbRestore } from './db-restore.js';
import { scimToken } from './scim-token.js';
import { groupCreate } from './group-create.js';
import { memberCreate } from './member-create.js';
import { integrationImport } from './integration-import.js';
import { integrationPush } from './integration-push.js';
import { integrationMergeAll } from './integration-merge-all.js';
import { integrationWondeSync } from './integration-wonde-sync.js';
import { oidcRecover } from './oidc-recover.js';

/** Every CLI command. A new one is a file in this folder and a line here. */
export const commands: Command[] = [tenantCreate, userCreate, apikeyCreate, dbMigrate, dbBackup, dbRestore, scimToken, groupCreate, memberCreate, integrationImport, integrationPush, integrationMergeAll, integrationWondeSync, oidcRecover];
