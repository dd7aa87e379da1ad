"""Use-cases: check the rules, write in one transaction, evaluate escalation."""
