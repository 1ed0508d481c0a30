"""The session list (its model, filter bar and table) and the details of the chosen session."""
