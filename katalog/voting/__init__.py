"""Prioritisation: members and chairs, rounds, ballots, the tally methods, decisions and the ledger."""
