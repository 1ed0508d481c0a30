"""The agent editor window: the agents table, the form, saving and the commands on agents."""
