import { type Subject, type SubjectHandler, subjectHandler } from "../confirmations/service.js";
import type { EventOutbox } from "../shared/events.js";
import type { SenderIdentityRepository, SenderIdentityRow } from "./repository.js";

/** A sender identity as the confirmation mail and page speak of it (the note only when asked for). */
export const identitySubject = (row: SenderIdentityRow): Subject => ({
  type: "sender_identity",
  id: row.id,
  accountId: row.account_id,
  email: row.email,
  purpose: `send mail as ${row.name} from this address`,
  note: row.add_note === 1 ? row.personal_note : null,
});

/** How confirmations find sender identities and mark them verified (with a sender_identity.verified event). */
export const identitySubjects = (repository: SenderIdentityRepository, events: EventOutbox): SubjectHandler =>
  subjectHandler(
    repository,
    (row) => ({ ...identitySubject(row), verified: row.is_verified === 1 }),
    (db, row) =>
      events.record(db, row.account_id, "sender_identity.verified", {
        id: row.id,
        email: row.email,
        domain_id: row.domain_id,
        status: row.is_verified === 1 ? "verified" : "pending",
        verified_at: row.verified_at,
      }),
  );
