"""Mock data: the synthetic national cohort, its aggregate tables, declarations and published figures."""
