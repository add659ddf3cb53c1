"""``laser``: N identical atoms in a cavity with incoherent pumping; cumulant expansion vs the full master equation."""
