import { type Subject, type SubjectHandler, subjectHandler } from "../confirmations/service.js";
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

/** How confirmations find destinations and mark them verified. */
export const destinationSubjects = (repository: DestinationRepository): SubjectHandler =>
  subjectHandler(repository, (row) => ({ ...destinationSubject(row), verified: row.status === "verified" }));
