import { type Subject, type SubjectHandler, subjectHandler } from "../confirmations/service.js";
import type { EventOutbox } from "../shared/events.js";
import type { DestinationRepository, DestinationRow } from "./repository.js";

/** A destination as the confirmation mail and page speak of it. */
export const destinationSubject = (row: DestinationRow): Subject => ({
  type: "destination",
  id: row.id,
  accountId: row.account_id,
  email: row.email,
  purpose: "forward mail to this address",
  note: null,
});

/** How confirmations find destinations and mark them verified (with a destination.verified event). */
export const destinationSubjects = (repository: DestinationRepository, events: EventOutbox): SubjectHandler =>
  subjectHandler(
    repository,
    (row) => ({ ...destinationSubject(row), verified: row.status === "verified" }),
    (db, row) =>
      events.record(db, row.account_id, "destination.verified", {
        id: row.id,
        email: row.email,
        status: row.status,
        verified_at: row.verified_at,
      }),
  );
