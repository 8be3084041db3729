/** The destination bare Express answers with (and bench/api/layers' variants, in place of mailproof's). */
export const BARE_DESTINATION = {
  id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01",
  email: "ana.silva@acme-logistics.com",
  status: "pending",
  verified_at: null,
  verification: { last_sent_at: null, sends_last_24h: 0, next_resend_at: null, expires_at: null },
  created_at: "2026-11-20T14:03:11.000Z",
  updated_at: "2026-11-20T14:03:11.000Z",
};
