import type { Readable } from 'node:stream';
import type { Platform } from '../../../platform/platform.js';
import { AppError, badRequest, notFound } from '../../../platform/errors.js';
import { recordAudit, systemActor, type Actor } from '../../../platform/audit/audit.js';
import type { Principal } from '../../../platform/http/principal.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { inTransaction } from '../../../platform/db/tx.js';
import { assertLevel, orgAccessOf } from '../access.js';
import { loadModel } from '../record.repo.js';
import { applyPatch, historyActorOf } from '../profiles/profile-writer.js';
import { addPeriod, todayIn } from '../rules/dates.js';
import { profilesRepo } from '../profiles/profiles.repo.js';
import { documentsRepo } from './documents.repo.js';

export type DocumentsDeps = Pick<Platform, 'db' | 'now' | 'storage'>;

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
/** Accepted types, each recognised by its first bytes (the declared type alone is not trusted). */
export const DOCUMENT_TYPES: Record<string, { ext: string; magic: number[] }> = {
  'application/pdf': { ext: 'pdf', magic: [0x25, 0x50, 0x44, 0x46] },
  'image/jpeg': { ext: 'jpg', magic: [0xff, 0xd8, 0xff] },
  'image/png': { ext: 'png', magic: [0x89, 0x50, 0x4e, 0x47] },
};
export const PURGE_DOCUMENTS_JOB = 'record.documents.purge';

/** A file name safe to store and to send back: no path, no control or odd characters, the right extension. */
export function sanitiseFileName(name: string, contentType: string): string {
  const ext = DOCUMENT_TYPES[contentType]?.ext ?? 'bin';
  const base = (name.split(/[\\/]/).pop() ?? '')
    .normalize('NFKD')
    .replace(/[^\w .()-]+/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s-]+/, '')
    .trim()
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .slice(0, 100);
  return `${base || 'document'}.${ext}`;
}

export function createDocumentsService(deps: DocumentsDeps) {
  const { db, now, storage } = deps;

  async function upload(principal: Principal, actor: Actor, profileId: string, checkKey: string, input: { fileName: string; contentType: string; data: Buffer }) {
    const type = DOCUMENT_TYPES[input.contentType];
    if (!type) throw new AppError(415, 'unsupported_file_type', 'Upload a PDF, JPEG or PNG file', { field: 'file' });
    if (input.data.length === 0) throw badRequest('empty_file', 'The file is empty', 'file');
    if (input.data.length > MAX_DOCUMENT_BYTES) throw new AppError(413, 'file_too_large', 'Files are limited to 5 MB', { field: 'file' });
    if (!type.magic.every((b, i) => input.data[i] === b)) throw badRequest('file_type_mismatch', `The file is not a real ${type.ext.toUpperCase()}`, 'file');
    const access = orgAccessOf(principal);
    const profile = await profilesRepo.find(db, principal.tenantId, profileId);
    if (!profile) throw notFound('Profile');
    assertLevel(access, profile.organisationId, 'edit');
    const model = await loadModel(db, principal.tenantId);
    const check = model.checksByKey.get(checkKey);
    if (!check || (check.organisationId && check.organisationId !== profile.organisationId)) throw notFound('Check');
    const fileName = sanitiseFileName(input.fileName, input.contentType);
    const at = now();
    const key = await storage.put('record-documents', input.data);
    try {
      return await inTransaction(db, async (t) => {
        const deleteAfter = check.documentRetentionMonths ? new Date(`${addPeriod(todayIn(at), check.documentRetentionMonths, 'months')}T${at.toISOString().slice(11)}`) : null;
        const doc = await documentsRepo.insert(t, { tenantId: principal.tenantId, profileId, checkId: check.id, storageKey: key, fileName, contentType: input.contentType, size: input.data.length, uploadedBy: actor.kind === 'user' ? actor.id : null, uploadedAt: at, deleteAfter });
        if (check.type === 'document') {
          await profilesRepo.upsertValue(t, { tenantId: principal.tenantId, profileId, checkId: check.id, value: fileName, reference: null, checkedOn: todayIn(at), evidence: '', recordedBy: actor.kind === 'user' ? actor.id : null, recordedByLabel: actor.label, recordedAt: at });
        }
        await applyPatch(t, principal.tenantId, profile, { lines: [{ field: `${check.name} — document`, before: null, after: fileName }], at }, historyActorOf(actor));
        await recordAudit(t, principal.tenantId, actor, { action: 'record.document.uploaded', targetType: 'record_document', targetId: doc.id, summary: `Document for ${check.name} uploaded`, data: { profileId, size: doc.size, contentType: doc.contentType } });
        return doc;
      });
    } catch (err) {
      await storage.delete(key);
      throw err;
    }
  }

  /** A document, only for someone who can see the profile; a deleted one is 410 with the reason. */
  async function open(principal: Principal, id: string): Promise<{ fileName: string; contentType: string; size: number; stream: Readable }> {
    const doc = await documentsRepo.find(db, principal.tenantId, id);
    if (!doc) throw notFound('Document');
    const profile = await profilesRepo.find(db, principal.tenantId, doc.profileId);
    if (!profile) throw notFound('Document');
    assertLevel(orgAccessOf(principal), profile.organisationId, 'view', 'Document');
    if (doc.deletedAt || !doc.storageKey) throw new AppError(410, 'document_deleted', `This document was deleted: ${doc.deletedReason ?? 'no reason recorded'}`);
    return { fileName: doc.fileName, contentType: doc.contentType, size: doc.size, stream: await storage.get(doc.storageKey) };
  }

  async function remove(principal: Principal, actor: Actor, id: string) {
    const doc = await documentsRepo.find(db, principal.tenantId, id);
    if (!doc) throw notFound('Document');
    const profile = await profilesRepo.find(db, principal.tenantId, doc.profileId);
    if (!profile) throw notFound('Document');
    assertLevel(orgAccessOf(principal), profile.organisationId, 'edit', 'Document');
    if (doc.deletedAt) return;
    await inTransaction(db, async (t) => {
      await documentsRepo.markDeleted(t, principal.tenantId, id, now(), `deleted by ${actor.label}`);
      await documentGone(t, doc, actor, now());
      await recordAudit(t, principal.tenantId, actor, { action: 'record.document.deleted', targetType: 'record_document', targetId: id, summary: `Document ${doc.fileName} deleted` });
    });
    if (doc.storageKey) await storage.delete(doc.storageKey);
  }

  return { upload, open, remove };
}

/** A deleted document is a change of the profile: its version moves on and the history says so. */
async function documentGone(t: DbOrTx, doc: { tenantId: string; profileId: string; checkId: string | null; fileName: string }, actor: Actor, at: Date) {
  const checkName = doc.checkId ? await documentsRepo.checkName(t, doc.tenantId, doc.checkId) : undefined;
  const profile = await profilesRepo.find(t, doc.tenantId, doc.profileId);
  if (!profile) return;
  await applyPatch(t, doc.tenantId, profile, { lines: [{ field: `${checkName ?? 'Evidence'} — document`, before: doc.fileName, after: null }], at }, historyActorOf(actor));
}

/**
 * The scheduled clean-up: files whose time is up (DBS certificate images, 6 months after upload)
 * are deleted from storage; the document row says when and why, and the check's record stays.
 */
export async function purgeDueDocuments(deps: DocumentsDeps): Promise<number> {
  const at = deps.now();
  const due = await documentsRepo.due(deps.db, at);
  for (const doc of due) {
    if (doc.storageKey) await deps.storage.delete(doc.storageKey);
    await inTransaction(deps.db, async (t) => {
      await documentsRepo.markDeleted(t, doc.tenantId, doc.id, at, 'Deleted automatically: certificate images are kept for 6 months after upload');
      await documentGone(t, doc, systemActor, at);
      await recordAudit(t, doc.tenantId, systemActor, { action: 'record.document.expired', targetType: 'record_document', targetId: doc.id, summary: `Document ${doc.fileName} deleted at the end of its retention`, data: { profileId: doc.profileId } });
    });
  }
  return due.length;
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
