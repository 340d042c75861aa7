"""Who is acting: login identities (local accounts and OpenID Connect), login sessions, and
the person each belongs to (one login per person of the staff register, and the reverse)."""
